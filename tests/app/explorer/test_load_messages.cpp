// What the window says about a failed load (the folder at fault, swapped folders) and about a
// Lorsa that explains a prompt worse than a constant.
#include "app/explorer/load_messages.h"
#include "tests/app/explorer/explorer_fixture.h"

#include <QtTest>

using namespace lorsa;

namespace {

QString path(const std::filesystem::path& p)
{
    return QString::fromStdString(p.string());
}

} // namespace

class TestLoadMessages : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ExplorerFixture> m_fixture;

private Q_SLOTS:
    void initTestCase() { m_fixture = std::make_unique<test::ExplorerFixture>(); }

    void namesTheFolderTheErrorIsAbout()
    {
        const QString model = path(m_fixture->model), lorsa = path(m_fixture->lorsa);
        const QString aboutModel = loadErrorText(model, lorsa, model + QStringLiteral("/model.safetensors: truncated"));
        QVERIFY2(aboutModel.startsWith(QStringLiteral("Could not open ") + model + QStringLiteral(":")), qPrintable(aboutModel));
        const QString aboutLorsa = loadErrorText(model, lorsa, lorsa + QStringLiteral("/config.json: d_model 16"));
        QVERIFY2(aboutLorsa.startsWith(QStringLiteral("Could not open ") + lorsa + QStringLiteral(":")), qPrintable(aboutLorsa));
        QVERIFY(loadErrorText(model, QString(), QStringLiteral("out of memory")).startsWith(QStringLiteral("Could not open ") + model));
        QVERIFY(!aboutLorsa.contains(QStringLiteral("swapped")));
    }

    void saysWhenModelAndLorsaLookSwapped()
    {
        const QString model = path(m_fixture->model), lorsa = path(m_fixture->lorsa);
        const QString swapped = loadErrorText(lorsa, model, QStringLiteral("config.json: no model_type"));
        QVERIFY2(swapped.contains(QStringLiteral("look swapped")), qPrintable(swapped));
        QVERIFY(swapped.contains(lorsa + QStringLiteral(" holds a Lorsa")));
        // Two Lorsas (or a missing folder) are not a swap.
        QVERIFY(!loadErrorText(lorsa, lorsa, QStringLiteral("x")).contains(QStringLiteral("swapped")));
        QVERIFY(!loadErrorText(path(m_fixture->dir / "missing"), model, QStringLiteral("x")).contains(QStringLiteral("swapped")));
    }

    void warnsWhenTheLorsaExplainsLessThanAConstant()
    {
        Fidelity fidelity;
        fidelity.fvu = 0.31;
        QVERIFY(fidelityWarning(fidelity, 3).isEmpty());
        fidelity.fvu = 1.0;
        QVERIFY(fidelityWarning(fidelity, 3).isEmpty());
        fidelity.fvu = 1.37;
        const QString warning = fidelityWarning(fidelity, 3);
        QVERIFY(warning.contains(QStringLiteral("1.37")));
        QVERIFY(warning.contains(QStringLiteral("layer 3")));
        fidelity.fvu = std::nan("");
        QVERIFY(fidelityWarning(fidelity, 3).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLoadMessages)
#include "test_load_messages.moc"

#include "app/explorer/bundled_demo.h"

#include <QtTest>

using namespace lorsa;

class TestBundledDemo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theShippedDemoIsFoundAndItsPromptRepeats()
    {
        const auto demo = findBundledDemo();
        QVERIFY(demo.has_value());
        QVERIFY(QFileInfo::exists(demo->modelDir + QStringLiteral("/model.safetensors")));
        QVERIFY(QFileInfo::exists(demo->lorsaDir + QStringLiteral("/sae_weights.safetensors")));
        // The prompt's second half repeats a long stretch of the first: what induction heads need.
        const QString prompt = bundledDemoPrompt();
        const QString repeated = QStringLiteral("Make thee an ark of gopher wood");
        QCOMPARE(prompt.count(repeated), 2);
    }
};

QTEST_GUILESS_MAIN(TestBundledDemo)
#include "test_bundled_demo.moc"

// The atlas browser on a real atlas indexed from the tiny fixture: the head list model is a
// well-behaved Qt model, the filter finds heads by number, label and peak token, the head page
// fills its views without a window, annotations reach the file at once, and atlases that do not
// belong (another Lorsa, a corrupt file) are refused with the previous one kept.

#include "model/atlas/atlas_file.h"
#include "model/atlas/atlas_identity.h"
#include "model/atlas/atlas_reader.h"
#include "model/core/error.h"
#include "tests/model/atlas/atlas_fixture.h"
#include "widgets/atlas_browser.h"
#include "widgets/atlas_context_list.h"
#include "widgets/atlas_head_filter.h"
#include "widgets/atlas_head_page.h"
#include "widgets/atlas_head_table_model.h"
#include "widgets/frequency_text.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

#include <fstream>

using namespace lorsa;

namespace {

QString qpath(const std::filesystem::path& path)
{
    return QString::fromStdString(path.string());
}

std::string errorOf(const std::function<void()>& work)
{
    try {
        work();
    } catch (const Error& error) {
        return error.what();
    }
    return {};
}

} // namespace

class TestAtlasBrowser : public QObject {
    Q_OBJECT

    std::unique_ptr<test::AtlasFixture> m_fixture;
    std::filesystem::path m_atlas;
    AtlasIdentity m_identity;
    AtlasIdentity m_otherIdentity;

private Q_SLOTS:
    void initTestCase()
    {
        m_fixture = std::make_unique<test::AtlasFixture>();
        const Engine engine(m_fixture->engineOptions(m_fixture->lorsa));
        m_atlas = m_fixture->dir / "atlas.sqlite";
        indexAtlas(engine, m_fixture->indexOptions(m_atlas));
        m_identity = atlasIdentity(engine, m_fixture->model, m_fixture->lorsa);
        const Engine other(m_fixture->engineOptions(m_fixture->otherLorsa));
        m_otherIdentity = atlasIdentity(other, m_fixture->model, m_fixture->otherLorsa);
    }

    void headListIsAWellBehavedModel()
    {
        AtlasFile atlas(m_atlas, AtlasFile::Access::ReadOnly);
        AtlasHeadTableModel model;
        AtlasHeadFilter filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows(readHeadRows(atlas));
        QCOMPARE(model.rowCount(), 16);
        filter.sort(AtlasHeadTableModel::Max, Qt::DescendingOrder);
        for (int row = 1; row < filter.rowCount(); ++row)
            QVERIFY(filter.index(row - 1, AtlasHeadTableModel::Max).data(AtlasHeadTableModel::kSortRole).toDouble() >=
                    filter.index(row, AtlasHeadTableModel::Max).data(AtlasHeadTableModel::kSortRole).toDouble());
        // A number goes to that head exactly: 1 is not 10..15.
        filter.setText(QStringLiteral("1"));
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, 0).data(AtlasHeadTableModel::kHeadRole).toLongLong(), 1);
        filter.setText(QStringLiteral("#12"));
        QCOMPARE(filter.index(0, 0).data(AtlasHeadTableModel::kHeadRole).toLongLong(), 12);
        filter.setText({});
        QCOMPARE(filter.rowCount(), 16);
        // Bookmarks tick in place and are reported for storing.
        QSignalSpy toggled(&model, &AtlasHeadTableModel::bookmarkToggled);
        QVERIFY(model.setData(model.index(4, AtlasHeadTableModel::Bookmark), Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(toggled.count(), 1);
        QCOMPARE(toggled.first().at(0).toLongLong(), 4);
        filter.setBookmarkedOnly(true);
        QCOMPARE(filter.rowCount(), 1);
        model.setRows({});
        QCOMPARE(filter.rowCount(), 0);
    }

    void headPageFillsItsViewsWithoutAWindow()
    {
        AtlasFile atlas(m_atlas, AtlasFile::Access::ReadOnly);
        const auto rows = readHeadRows(atlas);
        const auto strongest = std::max_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.max < b.max; })->head;
        AtlasHeadPage page;
        QSignalSpy wanted(&page, &AtlasHeadPage::contextPatternWanted);
        const auto head = readAtlasHead(atlas, strongest);
        const auto contexts = readTopContexts(atlas, strongest);
        QVERIFY(!contexts.empty());
        page.showHead(head, contexts, QStringLiteral("fixture"));
        QVERIFY(page.message().isEmpty());
        QCOMPARE(page.head(), std::optional<int64_t>(strongest));
        QVERIFY2(page.headerText().contains(QStringLiteral("Head %1").arg(strongest)), qPrintable(page.headerText()));
        // The same frequency text as the head list's column.
        const QString frequency = frequencyText(head.frequency);
        QVERIFY2(page.headerText().contains(QStringLiteral("active at %1 of tokens").arg(frequency)), qPrintable(page.headerText()));
        AtlasHeadTableModel model;
        model.setRows(rows);
        QCOMPARE(model.index(model.rowOfHead(strongest), AtlasHeadTableModel::Frequency).data().toString(), frequency);
        QCOMPARE(page.contextList()->contexts().size(), contexts.size());
        QCOMPARE(page.currentContext()->rank, int64_t(0));
        QCOMPARE(page.tokenRows(), int(std::max(head.promoted.size(), head.suppressed.size())));
        QVERIFY(page.tokenRows() > 0);
        // The ranked keys: the largest |contribution| first.
        QVERIFY(page.topKeysText().startsWith(QStringLiteral("Top keys: ")));
        const auto& z = contexts.front().zPattern;
        const auto top = std::max_element(z.begin(), z.end(), [](float a, float b) { return std::abs(a) < std::abs(b); }) - z.begin();
        QVERIFY2(page.topKeysText().contains(QStringLiteral("<sub>%1</sub>").arg(top)), qPrintable(page.topKeysText()));
        // The current context's QK pattern is asked for, and shown when the answer fits.
        QCOMPARE(wanted.count(), 1);
        QCOMPARE(wanted.first().at(0).value<std::vector<int64_t>>(), contexts.front().tokens);
        auto pattern = std::make_shared<ContextPattern>();
        pattern->lorsaHead = static_cast<int32_t>(strongest);
        pattern->qkHead = static_cast<int32_t>(head.qkHead);
        pattern->tokens = contexts.front().tokens;
        const auto n = static_cast<int64_t>(pattern->tokens.size());
        pattern->pattern = FloatMatrix{n, n, std::vector<float>(static_cast<size_t>(n * n), 0.0f)};
        for (int64_t q = 0; q < n; ++q)
            pattern->pattern.values[static_cast<size_t>(q * n)] = 1.0f;
        auto stale = std::make_shared<ContextPattern>(*pattern);
        stale->lorsaHead += 1;
        page.setContextPattern(stale);
        QVERIFY(!page.showsContextPattern());
        page.setContextPattern(pattern);
        QVERIFY(page.showsContextPattern());
        // Another context: a new request, the old pattern is gone.
        if (contexts.size() > 1) {
            page.contextList()->setCurrent(1);
            QCOMPARE(wanted.count(), 2);
            QVERIFY(!page.showsContextPattern());
        }
        // Sending a context to the prompt says which head and context.
        QSignalSpy send(&page, &AtlasHeadPage::sendToPrompt);
        Q_EMIT page.contextList()->activated(0);
        QCOMPARE(send.count(), 1);
        QCOMPARE(send.first().at(1).toLongLong(), strongest);
        // The figure is the head card.
        QCOMPARE(page.figureName(), QStringLiteral("head-card"));
        QVERIFY(page.figureHeight(800) > 200);
        QVERIFY(!page.figureData().rows.isEmpty());
        page.showMessage(QStringLiteral("closed"));
        QCOMPARE(page.message(), QStringLiteral("closed"));
        QVERIFY(!page.head());
    }

    void annotationsReachTheFileAtOnce()
    {
        const auto copy = m_fixture->dir / "annotated.sqlite";
        std::filesystem::copy_file(m_atlas, copy, std::filesystem::copy_options::overwrite_existing);
        AtlasBrowser browser;
        browser.open(qpath(copy), m_identity);
        QVERIFY(browser.isOpen());
        browser.showHead(7);
        QCOMPARE(browser.page()->head(), std::optional<int64_t>(7));
        auto* label = browser.page()->findChild<QLineEdit*>(QStringLiteral("atlasLabel"));
        QVERIFY(label);
        QTest::keyClicks(label, QStringLiteral("name mover"));
        browser.page()->flushAnnotation();  // what the save timer or leaving the field does
        {
            AtlasFile reader(copy, AtlasFile::Access::ReadOnly);  // another connection: it is on disk
            QCOMPARE(readAtlasHead(reader, 7).label, std::string("name mover"));
        }
        QCOMPARE(browser.model()->rows()[7].label, std::string("name mover"));
        // The label filter finds it; the bookmark ticked in the list is stored and shown on the page.
        browser.setFilter(QStringLiteral("MOVER"));
        QCOMPARE(browser.filter()->rowCount(), 1);
        browser.setFilter({});
        QVERIFY(browser.model()->setData(browser.model()->index(7, AtlasHeadTableModel::Bookmark), Qt::Checked, Qt::CheckStateRole));
        QVERIFY(browser.page()->findChild<QCheckBox*>()->isChecked());
        {
            AtlasFile reader(copy, AtlasFile::Access::ReadOnly);
            QVERIFY(readAtlasHead(reader, 7).bookmark);
            QCOMPARE(readAtlasHead(reader, 7).label, std::string("name mover"));
        }
        // Labels out and back in, through the browser, as lorsa atlas labels does.
        const auto labels = qpath(m_fixture->dir / "labels.csv");
        QVERIFY(browser.exportLabels(labels));
        QTest::keyClicks(label, QStringLiteral(" (wrong)"));
        browser.page()->flushAnnotation();
        QCOMPARE(browser.model()->rows()[7].label, std::string("name mover (wrong)"));
        QVERIFY(browser.importLabels(labels));
        QCOMPARE(browser.model()->rows()[7].label, std::string("name mover"));
        QCOMPARE(label->text(), QStringLiteral("name mover"));
        QVERIFY(!browser.importLabels(qpath(m_fixture->dir / "missing.json")));
    }

    void findsHeadsByPeakToken()
    {
        AtlasBrowser browser;
        browser.open(qpath(m_atlas), m_identity);
        AtlasFile atlas(m_atlas, AtlasFile::Access::ReadOnly);
        // A token some head's strongest context peaks on, without its leading space.
        std::string token;
        for (const auto& row : readHeadRows(atlas))
            if (QString::fromStdString(row.topToken).trimmed().size() > 1)
                token = QString::fromStdString(row.topToken).trimmed().toStdString();
        QVERIFY(!token.empty());
        const auto hits = searchByToken(atlas, token);
        browser.setFilter(QString::fromStdString(token), AtlasBrowser::FilterMode::PeakToken);
        QCOMPARE(browser.filter()->rowCount(), int(hits.size()));
        QVERIFY(!hits.empty());
        // showHead clears a filter that hides the head.
        int64_t hidden = 0;
        while (std::any_of(hits.begin(), hits.end(), [&](const auto& hit) { return hit.head == hidden; }))
            ++hidden;
        browser.showHead(hidden);
        QCOMPARE(browser.page()->head(), std::optional<int64_t>(hidden));
    }

    void refusesAtlasesThatDoNotBelong()
    {
        AtlasBrowser browser;
        browser.open(qpath(m_atlas), m_identity);
        QVERIFY(browser.builtFrom(m_identity));
        QVERIFY(!browser.builtFrom(m_otherIdentity));
        // Built from another Lorsa.
        auto message = errorOf([&] { browser.open(qpath(m_atlas), m_otherIdentity); });
        QVERIFY2(message.find("built from Lorsa") != std::string::npos, message.c_str());
        QVERIFY(browser.isOpen());  // the previous atlas stays
        QCOMPARE(browser.path(), qpath(m_atlas));
        // Not an atlas at all.
        const auto junk = m_fixture->dir / "junk.sqlite";
        std::ofstream(junk) << "this is not a database, just text long enough to look like a header......";
        message = errorOf([&] { browser.open(qpath(junk), m_identity); });
        QVERIFY2(message.find("junk.sqlite") != std::string::npos, message.c_str());
        QVERIFY(browser.isOpen());
        browser.close(QStringLiteral("closed"));
        QVERIFY(!browser.isOpen());
        QCOMPARE(browser.page()->message(), QStringLiteral("closed"));
    }

    void readOnlyAtlasSaysSo()
    {
        const auto dir = m_fixture->dir / "read-only";
        std::filesystem::create_directories(dir);
        const auto copy = dir / "atlas.sqlite";
        std::filesystem::copy_file(m_atlas, copy, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::permissions(copy, std::filesystem::perms::owner_read, std::filesystem::perm_options::replace);
        AtlasBrowser browser;
        browser.open(qpath(copy), m_identity);
        auto* label = browser.page()->findChild<QLineEdit*>(QStringLiteral("atlasLabel"));
        if (QFileInfo(qpath(copy)).isWritable())
            QSKIP("running as root: permissions do not stop writes");
        QVERIFY(label->isReadOnly());
        QVERIFY(label->toolTip().contains(QStringLiteral("read-only")));
        QSignalSpy problem(&browser, &AtlasBrowser::notice);
        QVERIFY(browser.model()->setData(browser.model()->index(2, AtlasHeadTableModel::Bookmark), Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(problem.count(), 1);
        std::filesystem::permissions(copy, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    }
};

QTEST_MAIN(TestAtlasBrowser)
#include "test_atlas_browser.moc"

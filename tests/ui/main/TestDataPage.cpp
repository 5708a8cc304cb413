// The Data page at the release's scale and with the real chunk cache: 786 volumes sorted by
// header clicks and filtered by scroll and id with the keyboard; the cache state per volume and
// for the dataset; Preprocess run and cancelled through its buttons (the volumes done stay
// cached); closing the page while the real engine preprocesses joins the work and leaves no
// temporary file, and every volume cached or missing, never half-written.
#include <QComboBox>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "FakeEngine.h"
#include "TestSupport.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/ElidedLabel.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/CachePanel.h"
#include "ui/main/DataPage.h"
#include "ui/main/VolumeFilterProxy.h"
#include "ui/main/VolumeTableModel.h"
#include "engine/store/CacheEntry.h"

namespace {
const QString kFormatDir = "/v" + QString::number(vwb::store::kCacheFormatVersion);  // this build's cache folder
}

using namespace vwb;
using namespace vwb::ui;
namespace fs = std::filesystem;

namespace {

constexpr int kTrain = 784, kTest = 2;  // 786 rows, as the release has labelled volumes
const QStringList kScrolls = {"26002", "26010", "34117", "35360", "343"};

// The release's layout in miniature: numeric ids of several lengths in no particular order,
// five scrolls of different sizes, 320³ volumes and a few 256³ ones.
Dataset bigDataset() {
  Dataset d;
  d.root = "/fake/data";
  for (int i = 0; i < kTrain + kTest; ++i) {
    VolumeEntry v;
    v.id = std::to_string(i % 3 == 0 ? 7000 + (i * 7919) % 100000 : 100000000 + (i * 104729) % 900000000);
    v.scrollId = kScrolls[i % 11 % 5].toStdString();  // every scroll, of different sizes
    v.imagePath = d.root + "/train_images/" + v.id + ".tif";
    v.shape = i % 17 == 0 ? Shape3{256, 256, 256} : Shape3{320, 320, 320};
    if (i < kTrain) {
      v.labelPath = d.root + "/train_labels/" + v.id + ".tif";
      d.train.push_back(v);
    } else {
      d.test.push_back(v);
    }
  }
  return d;
}

QString cellText(const QTableView* view, int row, int column) {
  return view->model()->index(row, column).data().toString();
}

const VolumeTableModel::Row& shownRow(const DataPage& page, int row) {
  return page.model()->row(page.proxy()->mapToSource(page.proxy()->index(row, 0)).row());
}

void clickHeader(QTableView* view, int column) {
  QHeaderView* h = view->horizontalHeader();
  QTest::mouseClick(h->viewport(), Qt::LeftButton, {},
                    QPoint(h->sectionViewportPosition(column) + h->sectionSize(column) / 2, h->height() / 2));
}

// The real engine, with preprocessing held after its first finished volume until the page
// cancels it: the page is then certain to be closed while the work runs.
class HeldRealEngine : public vwbtest::FakeEngine {
 public:
  EnginePtr real = makeRealEngine();
  std::atomic<bool> held{false}, hold{true};

  Dataset scanDataset(const std::string& root, ProgressSink* p, const CancelToken* c) override {
    return real->scanDataset(root, p, c);
  }
  LabelFractions labelFractions(const std::string& path) override { return real->labelFractions(path); }
  DatasetCacheStatus cacheStatus(const Dataset& d, const CancelToken* c) override { return real->cacheStatus(d, c); }
  PreprocessSummary preprocess(const Dataset& d, ProgressSink* progress, const CancelToken* cancel) override {
    struct Gate : ProgressSink {
      HeldRealEngine& e;
      ProgressSink* inner;
      const CancelToken* cancel;
      Gate(HeldRealEngine& engine, ProgressSink* p, const CancelToken* c) : e(engine), inner(p), cancel(c) {}
      void progress(const std::string& stage, int64_t done, int64_t total) override {
        if (inner) inner->progress(stage, done, total);
        if (done < 1 || !e.hold) return;
        e.held = true;
        while (e.hold && !cancel->cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    } gate(*this, progress, cancel);
    return real->preprocess(d, &gate, cancel);
  }
};

QStringList tempFiles(const QString& dir) {
  QStringList found;
  for (QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();) {
    const QString path = it.next();
    if (QFileInfo(path).fileName().contains(".tmp")) found << path;
  }
  return found;
}

}  // namespace

class TestDataPage : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;
  QTemporaryDir scratch_ = vwbtest::scratchDir();

  // The fake cache: the first 300 volumes cached, five stale, three that do not decode.
  static void fillFakeCache(vwbtest::FakeEngine& engine, const Dataset& d) {
    for (int i = 0; i < 300; ++i) engine.cache[d.train[size_t(i)].id] = CacheState::Cached;
    for (int i = 300; i < 305; ++i) engine.cache[d.train[size_t(i)].id] = CacheState::Stale;
    for (int i = 305; i < 308; ++i) {
      engine.cache[d.train[size_t(i)].id] = CacheState::Corrupt;
      engine.undecodable.insert(d.train[size_t(i)].id);
    }
  }

  static int rowOf(const DataPage& page, const QString& id) {
    for (int r = 0; r < page.model()->rowCount(); ++r)
      if (page.model()->row(r).id == id) return r;
    return -1;
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("vwb-test");
    QCoreApplication::setApplicationName("TestDataPage");
    QSettings().clear();
  }

  // Before any dataset, every column header reads whole ("Shape" was cut on the empty table).
  void emptyTableHeadersReadWhole() {
    WorkbenchContext context(std::make_shared<vwbtest::FakeEngine>());
    DataPage page(context);
    page.resize(1000, 600);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QHeaderView* header = page.table()->horizontalHeader();
    for (int c = 0; c < VolumeTableModel::ColumnCount - 1; ++c) {  // the last one stretches
      const QString text = page.model()->headerData(c, Qt::Horizontal).toString();
      // The text, the sort arrow beside it and the section's margins.
      const int needed = header->fontMetrics().horizontalAdvance(text) + 2 * header->fontMetrics().height();
      QVERIFY2(header->sectionSize(c) >= needed, qPrintable(QString("%1: %2 < %3").arg(text).arg(header->sectionSize(c)).arg(needed)));
    }
  }

  void manyVolumesSortAndFilterWithMouseAndKeyboard() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    const Dataset d = bigDataset();
    fillFakeCache(*engine, d);
    WorkbenchContext context(engine);
    DataPage page(context);
    page.resize(1100, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    QElapsedTimer clock;
    clock.start();
    context.setDataset(d, std::nullopt);  // fills the model, sizes the columns, sorts by id
    const qint64 populateMs = clock.elapsed();
    QTableView* view = page.table();
    QCOMPARE(view->model()->rowCount(), kTrain + kTest);
    QTRY_VERIFY_WITH_TIMEOUT(!page.loading() && page.cachePanel()->status(), vwbtest::kLastResortMs);

    // The cache per volume and for the dataset.
    const QString summary = page.cachePanel()->summary()->fullText();
    QVERIFY2(summary.contains("300 of 786 volumes cached") && summary.contains("/fake/data/.vwb/cache") &&
                 summary.contains("5 stale") && summary.contains("3 corrupt"),
             qPrintable(summary));
    const QAbstractItemModel* m = page.model();
    auto modelText = [m](int row, int column) { return m->index(row, column).data().toString(); };
    QCOMPARE(modelText(0, VolumeTableModel::CacheColumn), QString("cached"));
    QCOMPARE(modelText(302, VolumeTableModel::CacheColumn), QString("stale"));
    QVERIFY(m->index(302, VolumeTableModel::CacheColumn).data(Qt::ToolTipRole).toString().contains("changed"));
    QCOMPARE(modelText(306, VolumeTableModel::CacheColumn), QString("corrupt"));
    QCOMPARE(modelText(500, VolumeTableModel::CacheColumn), QString("missing"));
    QCOMPARE(modelText(kTrain, VolumeTableModel::SurfaceColumn), QString("–"));  // a test volume
    // Every labelled volume has its fractions: the cached ones from the cache, the rest read.
    for (int r = 0; r < kTrain; ++r) QVERIFY(page.model()->row(r).fractions);
    QCOMPARE(page.shownLabel()->text(), QString("786 volumes"));

    // Ids sort as numbers: the shorter ids first.
    for (int r = 1; r < view->model()->rowCount(); ++r) {
      const QString a = cellText(view, r - 1, 0), b = cellText(view, r, 0);
      QVERIFY2(a.size() < b.size() || (a.size() == b.size() && a < b), qPrintable(a + " before " + b));
    }
    // A click on a header sorts ascending by that column's values, a second click descending.
    clock.restart();
    clickHeader(view, VolumeTableModel::UnlabeledColumn);
    const qint64 sortMs = clock.elapsed();
    view->viewport()->repaint();
    const qint64 sortPaintMs = clock.elapsed();
    QCOMPARE(view->horizontalHeader()->sortIndicatorSection(), int(VolumeTableModel::UnlabeledColumn));
    QCOMPARE(view->horizontalHeader()->sortIndicatorOrder(), Qt::AscendingOrder);
    auto unlabeled = [&](int r) { return shownRow(page, r).fractions ? shownRow(page, r).fractions->unlabeled : -1.0; };
    QCOMPARE(unlabeled(0), -1.0);  // the test volumes (no label) first
    for (int r = 1; r < view->model()->rowCount(); ++r) QVERIFY(unlabeled(r - 1) <= unlabeled(r));
    QVERIFY(unlabeled(view->model()->rowCount() - 1) > unlabeled(2));
    clickHeader(view, VolumeTableModel::UnlabeledColumn);
    QCOMPARE(view->horizontalHeader()->sortIndicatorOrder(), Qt::DescendingOrder);
    for (int r = 1; r < view->model()->rowCount(); ++r) QVERIFY(unlabeled(r - 1) >= unlabeled(r));
    // By cache state: the problems first (corrupt, stale), then missing, then cached.
    clickHeader(view, VolumeTableModel::CacheColumn);
    for (int r = 0; r < 3; ++r) QCOMPARE(cellText(view, r, VolumeTableModel::CacheColumn), QString("corrupt"));
    for (int r = 3; r < 8; ++r) QCOMPARE(cellText(view, r, VolumeTableModel::CacheColumn), QString("stale"));
    QCOMPARE(cellText(view, 8, VolumeTableModel::CacheColumn), QString("missing"));
    QCOMPARE(cellText(view, view->model()->rowCount() - 1, VolumeTableModel::CacheColumn), QString("cached"));
    // By shape: the 256³ volumes first.
    clickHeader(view, VolumeTableModel::ShapeColumn);
    int small = 0;
    for (const auto* list : {&d.train, &d.test})
      for (const VolumeEntry& v : *list) small += v.shape.d == 256;
    QVERIFY(small > 0);
    QCOMPARE(cellText(view, small - 1, VolumeTableModel::ShapeColumn), QString("256×256×256"));
    QCOMPARE(cellText(view, small, VolumeTableModel::ShapeColumn), QString("320×320×320"));

    // The scroll filter, by keyboard: the first scroll in the list.
    QComboBox* scrolls = page.scrollFilter();
    QCOMPARE(scrolls->count(), 1 + kScrolls.size());
    scrolls->setFocus();
    QTest::keyClick(scrolls, Qt::Key_Down);
    const QString scroll = scrolls->currentData().toString();
    QCOMPARE(scroll, QString("343"));  // numeric order: the shortest id first
    int inScroll = 0;
    for (int r = 0; r < m->rowCount(); ++r) inScroll += page.model()->row(r).scroll == scroll;
    QVERIFY(inScroll > 0 && inScroll < kTrain);
    QCOMPARE(view->model()->rowCount(), inScroll);
    for (int r = 0; r < view->model()->rowCount(); ++r) QCOMPARE(cellText(view, r, VolumeTableModel::ScrollColumn), scroll);
    QCOMPARE(page.shownLabel()->text(), QString("showing %1 of 786 volumes").arg(inScroll));
    // ... and a piece of the id typed into the filter.
    QTest::keyClicks(page.idFilter(), "77");
    int expected = 0;
    for (int r = 0; r < m->rowCount(); ++r)
      expected += page.model()->row(r).scroll == scroll && page.model()->row(r).id.contains("77");
    QVERIFY(expected > 0 && expected < inScroll);
    QCOMPARE(view->model()->rowCount(), expected);
    for (int r = 0; r < view->model()->rowCount(); ++r) QVERIFY(cellText(view, r, 0).contains("77"));
    QTest::keyClick(page.idFilter(), Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(page.idFilter(), Qt::Key_Backspace);
    QCOMPARE(view->model()->rowCount(), inScroll);
    QTest::keyClick(scrolls, Qt::Key_Home);
    QCOMPARE(view->model()->rowCount(), kTrain + kTest);
    qInfo("786 rows: populated (model, column widths, sorted by id) in %lld ms; sorted by a header click in %lld ms, "
          "repainted after %lld ms", populateMs, sortMs, sortPaintMs);
  }

  void preprocessRunsAndCancelsThroughTheButtons() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    const Dataset d = bigDataset();
    fillFakeCache(*engine, d);
    engine->holdPreprocess = true;
    WorkbenchContext context(engine);
    DataPage page(context);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    context.setDataset(d, std::nullopt);
    CachePanel* cache = page.cachePanel();
    QTRY_VERIFY_WITH_TIMEOUT(!page.loading() && cache->status(), vwbtest::kLastResortMs);
    QCOMPARE(cache->cachedCount(), 300);

    QVERIFY(cache->preprocessButton()->isEnabled());
    QTest::mouseClick(cache->preprocessButton(), Qt::LeftButton);
    QVERIFY(cache->preprocessing());
    QVERIFY(!cache->preprocessButton()->isEnabled());
    QVERIFY(cache->progressBar()->isVisible() && cache->cancelButton()->isVisible());
    // Held after its first volume: the bar and the ETA show it.
    QTRY_COMPARE_WITH_TIMEOUT(cache->progressBar()->value(), 1, vwbtest::kLastResortMs);
    QCOMPARE(cache->progressBar()->maximum(), 786 - 300 - 3);  // the undecodable ones are not redone
    QVERIFY2(cache->etaLabel()->text().startsWith("ETA "), qPrintable(cache->etaLabel()->text()));
    QTest::mouseClick(cache->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!cache->preprocessing() && !cache->reading(), vwbtest::kLastResortMs);
    QVERIFY2(cache->message()->text().contains("cancelled"), qPrintable(cache->message()->text()));
    QVERIFY(!cache->progressBar()->isVisible());
    // The volume done before the cancel stays cached; the page shows the state read again.
    QCOMPARE(cache->cachedCount(), 301);
    QVERIFY(cache->summary()->fullText().contains("301 of 786 volumes cached"));
    QCOMPARE(page.model()->index(300, VolumeTableModel::CacheColumn).data().toString(), QString("cached"));
    QCOMPARE(page.model()->index(301, VolumeTableModel::CacheColumn).data().toString(), QString("stale"));

    engine->holdPreprocess = false;
    QTest::mouseClick(cache->preprocessButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!cache->preprocessing() && !cache->reading() && engine->preprocessRuns == 2,
                             vwbtest::kLastResortMs);
    QVERIFY2(cache->message()->text().startsWith("Preprocessed 482 volumes"), qPrintable(cache->message()->text()));
    QVERIFY(cache->summary()->fullText().contains("783 of 786 volumes cached"));
    int cached = 0, corrupt = 0;
    for (int r = 0; r < page.model()->rowCount(); ++r) {
      const QString s = page.model()->index(r, VolumeTableModel::CacheColumn).data().toString();
      cached += s == "cached";
      corrupt += s == "corrupt";
    }
    QCOMPARE(cached, 783);
    QCOMPARE(corrupt, 3);
    QVERIFY(cache->preprocessButton()->isEnabled());
  }

  void realCacheStatesAndClosingWhilePreprocessing() {
    auto engine = std::make_shared<HeldRealEngine>();
    const QString dir = scratch_.filePath("synth");
    SynthOptions synth;
    // More volumes than the preprocessing runs at once (one per core), so a cancel leaves some.
    synth.train = std::max(40, 2 * int(std::thread::hardware_concurrency()));
    synth.test = 2;
    synth.size = {32, 32, 32};
    try {
      engine->real->writeSyntheticDataset(dir.toStdString(), synth, nullptr);
    } catch (const std::exception& e) {
      QSKIP(e.what());  // a build without the data module
    }
    WorkbenchContext context(engine);
    const Dataset d = engine->scanDataset(dir.toStdString(), nullptr, nullptr);
    const int total = synth.train + synth.test;
    QCOMPARE(int(d.train.size() + d.test.size()), total);
    const QString cacheDir = dir + "/.vwb/cache";

    auto* page = new DataPage(context);
    page->show();
    context.setDataset(d, std::nullopt);
    QTRY_VERIFY_WITH_TIMEOUT(!page->loading() && page->cachePanel()->status(), vwbtest::kLastResortMs);
    QVERIFY2(page->cachePanel()->summary()->fullText().contains("no cache yet"),
             qPrintable(page->cachePanel()->summary()->fullText()));
    QVERIFY(!QFileInfo::exists(cacheDir + kFormatDir));  // nothing preprocessed yet
    QTest::mouseClick(page->cachePanel()->preprocessButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(engine->held, vwbtest::kLastResortMs);
    QVERIFY(page->cachePanel()->preprocessing());
    delete page;  // cancels, joins the workers once their volumes are written
    QCOMPARE(tempFiles(cacheDir), QStringList());
    DatasetCacheStatus after = engine->cacheStatus(d, nullptr);
    int cached = 0;
    for (const auto* list : {&after.train, &after.test})
      for (const VolumeCacheStatus& v : *list) {
        QVERIFY2(v.state == CacheState::Cached || v.state == CacheState::Missing, v.detail.c_str());
        cached += v.state == CacheState::Cached;
      }
    QVERIFY(cached >= 1);
    QVERIFY(cached < total);  // the cancel stopped it (one volume per core at most)

    // A new page resumes where it stopped, to the end.
    engine->hold = false;
    DataPage again(context);
    again.show();
    context.setDataset(d, std::nullopt);
    QTRY_VERIFY_WITH_TIMEOUT(!again.loading() && again.cachePanel()->status(), vwbtest::kLastResortMs);
    QCOMPARE(again.cachePanel()->cachedCount(), cached);
    QTest::mouseClick(again.cachePanel()->preprocessButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!again.cachePanel()->preprocessing() && !again.cachePanel()->reading(),
                             vwbtest::kLastResortMs);
    QVERIFY2(again.cachePanel()->message()->text().contains(QString("Preprocessed %1 volume").arg(total - cached)),
             qPrintable(again.cachePanel()->message()->text()));
    QCOMPARE(again.cachePanel()->cachedCount(), total);
    const QString summary = again.cachePanel()->summary()->fullText();
    QVERIFY2(summary.contains(QString("%1 of %1 volumes cached").arg(total)) && summary.contains(cacheDir),
             qPrintable(summary));
    QCOMPARE(tempFiles(cacheDir), QStringList());
    // Fractions from the cache equal the ones read from the label volume.
    const LabelFractions read = engine->labelFractions(d.train[3].labelPath);
    QVERIFY(again.model()->row(3).fractions);
    QCOMPARE(again.model()->row(3).fractions->surface, read.surface);  // same voxel counts: exact

    // A changed image is stale, a damaged entry corrupt; both redone by Preprocess.
    const std::string image = d.train[1].imagePath;
    fs::last_write_time(image, fs::last_write_time(image) + std::chrono::seconds(5));
    { std::ofstream((cacheDir + kFormatDir + "/train/" + QString::fromStdString(d.train[2].id) + ".json").toStdString()) << "{"; }
    again.cachePanel()->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!again.loading() && again.cachePanel()->cachedCount() == total - 2, vwbtest::kLastResortMs);
    const QAbstractItemModel* m = again.model();
    QCOMPARE(m->index(1, VolumeTableModel::CacheColumn).data().toString(), QString("stale"));
    QVERIFY(m->index(1, VolumeTableModel::CacheColumn).data(Qt::ToolTipRole).toString().contains("changed"));
    QCOMPARE(m->index(2, VolumeTableModel::CacheColumn).data().toString(), QString("corrupt"));
    QVERIFY(again.cachePanel()->summary()->fullText().contains("1 stale · 1 corrupt"));
    QTest::mouseClick(again.cachePanel()->preprocessButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!again.cachePanel()->preprocessing() && !again.cachePanel()->reading() &&
                                 again.cachePanel()->cachedCount() == total,
                             vwbtest::kLastResortMs);
  }
};

QTEST_MAIN(TestDataPage)
#include "TestDataPage.moc"

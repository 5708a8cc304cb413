// The main window: pages by id, opening a dataset in the background (the event loop keeps
// running: the longest stall is measured), the data table and report, recent datasets,
// cancelling, and closing while training stops the run cleanly.
#include <QAbstractButton>
#include <QApplication>
#include <QListWidget>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

#include "TestSupport.h"

#include "FakeEngine.h"
#include "StallMeter.h"
#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/DataPage.h"
#include "ui/main/VolumeTableModel.h"
#include "ui/main/DatasetOpener.h"
#include "ui/main/MainWindow.h"
#include "ui/monitor/MonitorPage.h"

using namespace vwb;
using namespace vwb::ui;

class TestMainWindow : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());  // no leaks between runs
    QCoreApplication::setOrganizationName("vwb-test");
    QCoreApplication::setApplicationName("TestMainWindow");
    QSettings().clear();
  }

  void pagesById() {
    WorkbenchContext context(std::make_shared<vwbtest::FakeEngine>());
    MainWindow w(context);
    QCOMPARE(w.pageIds(), QStringList({"data", "wizard", "monitor", "viewer", "predictions", "export"}));
    auto* extra = new QWidget;
    w.addPage("viewer", "Viewer", extra);  // what the viewer pages do: one line
    QVERIFY(w.showPage("viewer"));
    QCOMPARE(w.currentPageId(), QString("viewer"));
    QVERIFY(w.showPage("monitor"));
    QVERIFY(!w.showPage("nope"));
    QCOMPARE(w.currentPageId(), QString("monitor"));
  }

  void opensDatasetWithoutFreezing() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->scanDelayMs = 800;
    WorkbenchContext context(engine);
    MainWindow w(context);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::qWait(200);  // the first paint (font and style setup) is not what is measured
    QSignalSpy opened(w.opener(), &DatasetOpener::opened);
    vwbtest::StallMeter meter([&w] { return w.opener()->busy(); });
    w.opener()->open("/data/scrolls");
    QVERIFY(w.opener()->busy());
    QVERIFY(opened.wait(vwbtest::kLastResortMs));
    meter.stop();
    qInfo("longest event-loop stall while opening: %d ms", meter.longestMs());
    // The event loop ran while the (800 ms) scan was still going: it is not on the GUI thread.
    QVERIFY(meter.ticksWhileBusy() > 0);
    QVERIFY(context.hasDataset());

    const QAbstractItemModel* t = w.dataPage()->table()->model();
    auto text = [t](int row, int column) { return t->index(row, column).data().toString(); };
    QCOMPARE(t->rowCount(), 4);
    QCOMPARE(text(0, VolumeTableModel::IdColumn), QString("1000"));
    QCOMPARE(text(1, VolumeTableModel::ScrollColumn), QString("34117"));
    QCOMPARE(text(0, VolumeTableModel::ShapeColumn), QString("96×96×96"));
    QCOMPARE(text(3, VolumeTableModel::RoleColumn), QString("test"));
    QCOMPARE(text(0, VolumeTableModel::RoleColumn), QString("train"));
    QCOMPARE(text(1, VolumeTableModel::RoleColumn), QString("validation"));  // the engine's split
    // Label fractions fill in from the background task (the fake cache holds none).
    QTRY_COMPARE_WITH_TIMEOUT(text(2, VolumeTableModel::UnlabeledColumn), QString("2.0 %"), vwbtest::kLastResortMs);
    QCOMPARE(text(0, VolumeTableModel::SurfaceColumn), QString("10.0 %"));
    QCOMPARE(text(3, VolumeTableModel::SurfaceColumn), QString("–"));  // a test volume has no label
    QCOMPARE(text(0, VolumeTableModel::CacheColumn), QString("missing"));
    QCOMPARE(w.dataPage()->problems()->count(), 1);
    QVERIFY(w.dataPage()->problems()->item(0)->text().contains("no scroll_id"));
    QCOMPARE(Settings().recentDatasets().value(0), QString("/data/scrolls"));
  }

  void cancelOpening() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->scanDelayMs = 3000;
    WorkbenchContext context(engine);
    MainWindow w(context);
    QSignalSpy failed(w.opener(), &DatasetOpener::failed);
    w.opener()->open("/data/slow");
    QTest::qWait(50);
    w.opener()->task()->cancel();
    QVERIFY(failed.wait(vwbtest::kLastResortMs));
    QVERIFY(failed.at(0).at(0).toString().contains("cancelled"));
    QVERIFY(!context.hasDataset());
  }

  void closingWhileTrainingStopsCleanly() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 1000;
    engine->script.stepDelayMs = 5;
    WorkbenchContext context(engine);
    MainWindow w(context);
    w.show();
    QTemporaryDir dir;
    TrainConfig config;
    config.run.dir = dir.filePath("run").toStdString();
    w.monitor()->startRun(config);
    QTRY_VERIFY_WITH_TIMEOUT(w.monitor()->series().lossRaw.size() > 2, vwbtest::kLastResortMs);
    // Answer the "stop and quit?" question with Yes once it shows.
    QTimer::singleShot(100, this, [] {
      for (QWidget* top : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(top)) box->button(QMessageBox::Yes)->click();
    });
    QSignalSpy ended(w.monitor(), &MonitorPage::runFinished);
    QVERIFY(w.close());
    QVERIFY(!w.monitor()->isTraining());
    QCOMPARE(ended.size(), 1);
    QCOMPARE(ended.at(0).at(0).toInt(), int(RunOutcome::Stopped));
  }

  // The application quitting while work runs (a dataset being opened, a training run): the
  // window's destructor stops each, joins its thread and returns; the run ends Stopped.
  void destroyingTheWindowWhileBusyJoinsEveryWorker() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->scanDelayMs = 600000;  // a scan that would take ten minutes
    engine->script.epochs = 1000;
    engine->script.stepDelayMs = 5;
    WorkbenchContext context(engine);
    auto w = std::make_unique<MainWindow>(context);
    w->show();
    QTemporaryDir dir;
    TrainConfig config;
    config.run.dir = dir.filePath("run").toStdString();
    w->monitor()->startRun(config);
    w->opener()->open("/data/slow");
    QVERIFY(w->opener()->busy());
    QTRY_VERIFY_WITH_TIMEOUT(w->monitor()->series().lossRaw.size() > 2, vwbtest::kLastResortMs);
    QSignalSpy ended(w->monitor(), &MonitorPage::runFinished);
    w.reset();
    QVERIFY(!context.hasDataset());
    QCOMPARE(engine->running.load(), 0);  // no engine call is still going on any thread
  }
};

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"

// The window as a new user first meets it: it never grows past the screen (long texts wrap or
// elide, a saved size from a bigger screen is cut to this one); View names every page and
// Ctrl+1…Ctrl+N reach them; Help has the guide and the keyboard shortcuts.
#include <QAbstractButton>
#include <QAction>
#include <QDirIterator>
#include <QPushButton>
#include <QApplication>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QStatusBar>
#include <QWizard>
#include <QtTest>

#include "TestSupport.h"

#include "FakeEngine.h"
#include "ui/common/BackgroundTask.h"
#include "engine/train/TrainConfig.h"
#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/CachePanel.h"
#include "ui/main/DataPage.h"
#include "ui/main/DatasetOpener.h"
#include "ui/main/GuidedStart.h"
#include "ui/main/VolumeTableModel.h"
#include "ui/main/HelpMenu.h"
#include "ui/main/MainWindow.h"
#include "ui/main/TaskProgressWidget.h"
#include "ui/monitor/MonitorPage.h"
#include "ui/monitor/RunStatusPanel.h"
#include "ui/monitor/RunSummary.h"
#include "ui/wizard/SetupWizard.h"

using namespace vwb;
using namespace vwb::ui;

namespace {
QMenu* menuNamed(QMainWindow& w, const QString& name) {
  for (QAction* a : w.menuBar()->actions())
    if (a->menu() && QString(a->text()).remove('&') == name) return a->menu();
  return nullptr;
}
}  // namespace

class TestWindowBasics : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("vwb-test");
    QCoreApplication::setApplicationName("TestWindowBasics");
  }

  void longTextsDoNotWidenTheWindow() {
    WorkbenchContext context(std::make_shared<vwbtest::FakeEngine>());
    MainWindow w(context);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QRect screen = w.screen()->availableGeometry();
    const int before = w.width();
    QVERIFY(before <= screen.width());
    const QString longText = "Failed: " + QString("/a/very/long/path/to/a/run/folder/").repeated(40) + "config.json: cannot be read";
    w.monitor()->statusPanel()->setState(longText, "#a00000");
    BackgroundTask task("Opening " + QString("/data/scrolls/").repeated(40), [](ProgressSink&, const CancelToken&) {});
    w.taskProgress()->track(&task);
    context.statusMessage(longText);
    for (const QString& id : w.pageIds()) {
      if (id == "viewer" || id == "predictions") continue;  // GL views: not shown under offscreen
      w.showPage(id);
      QCoreApplication::processEvents();
      QVERIFY2(w.minimumSizeHint().width() <= screen.width(), qPrintable(id));
      QVERIFY2(w.width() <= screen.width(), qPrintable(id));
    }
    QCOMPARE(w.width(), before);
  }

  void savedGeometryIsClampedToTheScreen() {
    WorkbenchContext context(std::make_shared<vwbtest::FakeEngine>());
    {
      MainWindow big(context);
      big.setGeometry(0, 0, 5000, 4000);  // from a much larger screen, or widened by a long text
      Settings().setWindowGeometry(big.saveGeometry());
    }
    MainWindow w(context);
    const QRect screen = w.screen()->availableGeometry();
    QVERIFY2(w.width() <= screen.width() && w.height() <= screen.height(),
             qPrintable(QString("%1x%2 on %3x%4").arg(w.width()).arg(w.height()).arg(screen.width()).arg(screen.height())));
    Settings().setWindowGeometry({});
  }

  void viewMenuNamesPagesAndShortcutsWork() {
    WorkbenchContext context(std::make_shared<vwbtest::FakeEngine>());
    MainWindow w(context);
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QMenu* view = menuNamed(w, "View");
    QVERIFY(view);
    const QStringList ids = w.pageIds();
    QCOMPARE(view->actions().size(), ids.size());
    for (int i = 0; i < ids.size(); ++i) {
      QAction* a = view->actions()[i];
      QVERIFY2(!a->text().startsWith("Page"), qPrintable(a->text()));
      QCOMPARE(a->text(), w.findChild<QListWidget*>()->item(i)->text());
      QCOMPARE(a->shortcut(), QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }
    for (int i = ids.size() - 1; i >= 0; --i) {
      if (ids[i] == "viewer" || ids[i] == "predictions") continue;  // GL views: not shown under offscreen
      QTest::keyClick(&w, static_cast<Qt::Key>(Qt::Key_1 + i), Qt::ControlModifier);
      QCOMPARE(w.currentPageId(), ids[i]);
    }
  }

  void helpHasTheGuideAndShortcuts() {
    WorkbenchContext context(std::make_shared<vwbtest::FakeEngine>());
    MainWindow w(context);
    QMenu* help = menuNamed(w, "Help");
    QVERIFY(help);
    QStringList items;
    for (QAction* a : help->actions()) items << QString(a->text()).remove('&');
    QVERIFY2(items.filter("Keyboard shortcuts").size() == 1 && items.filter("README").size() >= 1, qPrintable(items.join(", ")));
    QVERIFY(guideText(":/docs/README.md").startsWith("#"));
    QVERIFY(!guideText(":/docs/ui/README.md").isEmpty());
    const QString keys = shortcutsText(w);
    QVERIFY2(keys.contains(QKeySequence(Qt::CTRL | Qt::Key_3).toString(QKeySequence::NativeText) + QString::fromUtf8(" — View › Monitor")),
             qPrintable(keys));
    QVERIFY(keys.contains(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)));
  }

  void guidedStartTicksItself() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    WorkbenchContext context(engine);
    MainWindow w(context);
    w.show();
    GuidedStart* guide = w.guide();
    QVERIFY(guide && guide->isVisible());  // on the Data page, the first page a user sees
    for (int s = 0; s < GuidedStart::StepCount; ++s) QVERIFY(!guide->isDone(GuidedStart::Step(s)));
    QVERIFY(guide->stepText(GuidedStart::OpenData).contains(QString::fromUtf8("☐")));
    context.setDataset(vwbtest::fakeDataset("/data/scrolls"), vwbtest::fakeFingerprint());
    QVERIFY(guide->isDone(GuidedStart::OpenData));
    QVERIFY(guide->stepText(GuidedStart::OpenData).contains(QString::fromUtf8("☑")));
    w.showPage("wizard");
    while (w.wizard()->currentId() < SetupWizard::ReviewPageId)
      QTest::mouseClick(w.wizard()->button(QWizard::NextButton), Qt::LeftButton);
    QVERIFY(guide->isDone(GuidedStart::ReviewPlan));
    QVERIFY(!guide->isDone(GuidedStart::Train));
    context.setRunDir("/tmp/some-run");
    QVERIFY(guide->isDone(GuidedStart::Train));
  }

  // A folder that is not a dataset (real engine): the page says so and why, nothing ticks (and
  // the last dataset's reviewed plan no longer does), no roles, Preprocess off, nothing written.
  void openingAFolderThatIsNotADataset() {
    QTemporaryDir dir = vwbtest::scratchDir();
    QDir(dir.path()).mkpath("photos");
    QFile note(dir.filePath("notes.txt"));
    QVERIFY(note.open(QIODevice::WriteOnly));
    note.write("not volumes\n");
    note.close();
    auto listing = [&] {
      QStringList all;
      QDirIterator it(dir.path(), QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
      while (it.hasNext()) all << it.next();
      all.sort();
      return all;
    };
    const QStringList before = listing();
    WorkbenchContext context(makeRealEngine());
    MainWindow w(context);
    w.show();
    context.setDataset(vwbtest::fakeDataset("/data/scrolls"), vwbtest::fakeFingerprint());  // the last dataset
    w.guide()->setDone(GuidedStart::ReviewPlan);
    w.opener()->open(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(!w.opener()->busy(), vwbtest::kLastResortMs);
    QVERIFY(!context.hasDataset());
    QVERIFY(!w.guide()->isDone(GuidedStart::OpenData));
    QVERIFY(!w.guide()->isDone(GuidedStart::ReviewPlan));
    const QString title = w.dataPage()->titleText();
    QVERIFY2(title.contains("not a dataset") && title.contains("train_images"), qPrintable(title));
    QVERIFY(!title.contains("only one training volume"));
    QCOMPARE(w.dataPage()->model()->rowCount(), 0);
    QVERIFY(!w.dataPage()->cachePanel()->preprocessButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!w.dataPage()->loading(), vwbtest::kLastResortMs);
    QCOMPARE(listing(), before);  // nothing created on disk (no .vwb/cache)
  }

  // Recent runs say how each run ended; the last one, stopped before its end, is offered at
  // start; opening it opens its dataset too.
  void runsAndTheirDatasets() {
    QTemporaryDir dir;
    QDir(dir.path()).mkpath("data");
    auto writeRun = [&](const QString& name, int steps, const QString& lastLogLine, bool checkpoint) {
      const QString run = dir.filePath(name);
      QDir(run).mkpath("logs");
      QDir(run).mkpath("checkpoints");
      TrainConfig c;
      c.run.epochs = 2;
      c.run.stepsPerEpoch = 5;
      c.run.dataDir = dir.filePath("data").toStdString();
      QFile config(run + "/config.json");
      if (!config.open(QIODevice::WriteOnly)) return QString();
      config.write(QByteArray::fromStdString(c.toJson()));
      config.close();
      QFile m(run + "/metrics.jsonl");
      if (!m.open(QIODevice::WriteOnly)) return QString();
      for (int i = 1; i <= steps; ++i) m.write(QString(R"({"type":"step","step":%1,"loss":0.5})" "\n").arg(i).toUtf8());
      m.flush();
      m.close();
      QFile log(run + "/logs/training.log");
      if (!log.open(QIODevice::WriteOnly)) return QString();
      log.write(("2026-12-01 10:00:00 [info] " + lastLogLine + "\n").toUtf8());
      if (checkpoint) {
        QFile pt(run + "/checkpoints/last.pt");
        if (!pt.open(QIODevice::WriteOnly)) return QString();
        pt.write("x");
      }
      return run;
    };
    const QString finished = writeRun("finished", 10, "finished 10 steps; checkpoints in x", true);
    const QString killed = writeRun("killed", 3, "epoch 1 started", true);
    const QString stopped = writeRun("stopped", 4, "stopped at step 4; checkpoint x (continue with --resume)", true);
    QVERIFY(!stopped.isEmpty() && !killed.isEmpty() && !finished.isEmpty());
    Settings().addRecentRun(finished);
    Settings().addRecentRun(killed);
    Settings().addRecentRun(stopped);

    auto engine = std::make_shared<vwbtest::FakeEngine>();
    WorkbenchContext context(engine);
    MainWindow w(context);
    w.show();
    QMenu* recent = menuNamed(w, "File")->findChildren<QMenu*>().value(0);
    for (QMenu* m : menuNamed(w, "File")->findChildren<QMenu*>())
      if (m->title() == "Recent runs") recent = m;
    Q_EMIT recent->aboutToShow();
    QStringList texts;
    for (QAction* a : recent->actions()) texts << a->text();
    const QString all = texts.join("\n");
    QVERIFY2(all.contains(stopped + QString::fromUtf8("  — stopped at step 4 of 10")), qPrintable(all));
    QVERIFY2(all.contains(killed + QString::fromUtf8("  — interrupted at step 3 of 10")), qPrintable(all));
    QVERIFY2(all.contains(finished + QString::fromUtf8("  — finished at step 10 of 10")), qPrintable(all));

    QVERIFY(w.offerInterruptedRun());
    auto* box = w.findChild<QMessageBox*>("resumeOffer");
    QVERIFY(box);
    QTRY_VERIFY_WITH_TIMEOUT(box->isVisible(), vwbtest::kLastResortMs);
    QVERIFY(box->text().contains(stopped));
    QTest::mouseClick(box->button(QMessageBox::Open), Qt::LeftButton);
    QCOMPARE(w.currentPageId(), QString("monitor"));
    QCOMPARE(context.runDir(), QDir(stopped).absolutePath());
    QTRY_VERIFY_WITH_TIMEOUT(context.hasDataset(), vwbtest::kLastResortMs);  // the run's dataset opened with it
    QCOMPARE(QString::fromStdString(context.dataset().root), dir.filePath("data"));

    // A run another process trains in (it holds the run lock) is shown as running, not resumable.
    engine->owner = "pid 4242 on host node7";
    Q_EMIT recent->aboutToShow();
    texts.clear();
    for (QAction* a : recent->actions()) texts << a->text();
    QVERIFY2(texts.join("\n").contains(stopped + QString::fromUtf8("  — running at step 4 of 10")), qPrintable(texts.join("\n")));
  }
};

QTEST_MAIN(TestWindowBasics)
#include "TestWindowBasics.moc"

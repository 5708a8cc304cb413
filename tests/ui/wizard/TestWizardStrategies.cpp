// Every strategy the Strategy page offers on this machine (one device, DDP over CPU ranks,
// DataParallel over CPU ranks), driven as a person does — clicks on the Strategy page's radio
// button, keys into the settings page's fields, Next and Start — with the REAL engine:
// the monitor shows live curves with one memory series per device and the step-time shares,
// Stop writes a checkpoint, Resume continues, and after the window is closed and a new one opens
// the run (an app restart) Resume takes it to its end. The settings page's probe (Measure) runs
// each strategy too. A new run of a dataset other than the demo goes under the runs root of the
// settings. (The wizard's own logic against scripted plans is TestWizard/TestWizardWalk.)
#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QtTest>

#include <functional>

#include "TestSupport.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/DatasetOpener.h"
#include "ui/main/MainWindow.h"
#include "ui/monitor/MetricsSeries.h"
#include "ui/monitor/MonitorPage.h"
#include "ui/monitor/RunStatusPanel.h"
#include "ui/wizard/ProbeRunner.h"
#include "ui/wizard/SetupWizard.h"
#include "ui/wizard/StrategyPage.h"
#include "ui/wizard/TrainingSettingsPage.h"

using namespace vwb;
using namespace vwb::ui;

namespace {

// Click into a spin box, select its text, type a value, press Enter (as TestWizardWalk does).
void enter(QSpinBox* box, int value) {
  QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(10, box->height() / 2));
  QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(box, QString::number(value));
  QTest::keyClick(box, Qt::Key_Return);
}

void click(QAbstractButton* b) { QTest::mouseClick(b, Qt::LeftButton, {}, QPoint(8, b->height() / 2)); }

// Waits until done() while the run makes progress: fails only after kLastResortMs without a new
// step. A run to its end takes as long as the machine's load makes it (on a 2-core machine at a
// load of 20, CPU training is 10-30x slower), so a fixed budget for the whole run is a time
// budget in disguise; a run that stalls is still caught.
template <class Done>
bool waitWhileSteps(MonitorPage* monitor, Done done) {
  int last = monitor->series().lossRaw.size();
  QElapsedTimer sinceStep;
  sinceStep.start();
  while (!done()) {
    if (sinceStep.elapsed() > vwbtest::kLastResortMs) return false;
    QTest::qWait(50);
    if (monitor->series().lossRaw.size() != last) {
      last = monitor->series().lossRaw.size();
      sinceStep.restart();
    }
  }
  return true;
}

// The main window of the app on the real engine, with a dataset opened as the Data page does.
struct App {
  WorkbenchContext context;
  MainWindow window;
  explicit App(const EnginePtr& engine) : context(engine), window(context) {
    window.resize(1280, 900);
    window.show();
  }
  bool open(const QString& dataset) {
    QSignalSpy opened(window.opener(), &DatasetOpener::opened);
    window.opener()->open(dataset);
    return !opened.isEmpty() || opened.wait(vwbtest::kLastResortMs);
  }
};

}  // namespace

class TestWizardStrategies : public QObject {
  Q_OBJECT
  QTemporaryDir scratch_ = vwbtest::scratchDir();
  QTemporaryDir settingsDir_ = vwbtest::scratchDir();
  EnginePtr engine_ = makeRealEngine();

  QString data() const { return scratch_.filePath("data"); }
  QString runsRoot() const { return scratch_.filePath("runs-root"); }

  // Walks the wizard to Start with the given strategy: a tiny model (levels and base channels
  // as --levels/--base-channels set them: the settings page has no field for them), patch 16,
  // 2 epochs of `steps` steps typed into the settings page.
  // `onSettings` (optional) acts on the settings page after those fields; a non-empty return is a
  // failure, returned as is.
  QString startFromWizard(App& app, StrategyKind kind, int steps,
                          const std::function<QString(TrainingSettingsPage*)>& onSettings = {}) {
    SetupWizard* wizard = app.window.wizard();
    app.window.showPage("wizard");
    wizard->constraints().model.levels = 2;
    wizard->constraints().model.baseChannels = 4;
    wizard->overrides().workers = 1;
    wizard->replan();
    while (wizard->currentId() < SetupWizard::StrategyPageId)
      QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    QAbstractButton* radio = wizard->strategyPage()->optionButton(kind);
    if (!radio) return "the Strategy page offers no " + QString(strategyName(kind)) + " option";
    click(radio);
    // The page re-plans with the strategy forced and redraws its options.
    if (!QTest::qWaitFor([&] {
          QAbstractButton* b = wizard->strategyPage()->optionButton(kind);
          return wizard->hasPlan() && wizard->plan().config.distributed.strategy == kind && b && b->isChecked();
        }, vwbtest::kLastResortMs))
      return "choosing " + QString(strategyName(kind)) + " did not re-plan with it: " + wizard->planError();
    QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    if (wizard->currentId() != SetupWizard::SettingsPageId) return "Next did not lead to the settings page";
    TrainingSettingsPage* settings = wizard->settingsPage();
    enter(settings->patchBox(), 16);
    enter(settings->epochsBox(), 2);
    enter(settings->stepsBox(), steps);
    enter(settings->batchBox(), 1);
    if (onSettings)
      if (QString problem = onSettings(settings); !problem.isEmpty()) return problem;
    const TrainConfig c = wizard->finalConfig();
    if (c.distributed.strategy != kind || c.data.patch != 16 || c.run.epochs != 2 || c.run.stepsPerEpoch != steps || c.data.batchPerDevice != 1)
      return "the typed settings did not reach the plan: " + QString::fromStdString(c.toJson());
    QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    if (wizard->currentId() != SetupWizard::ReviewPageId) return "Next did not lead to the review page";
    // The run is named when Start is pressed: its folder is the one the started config names.
    QSignalSpy started(wizard, &SetupWizard::startRequested);
    QTest::mouseClick(wizard->button(QWizard::FinishButton), Qt::LeftButton);  // "Start training"
    if (started.size() != 1) return "Start did not start training";
    const QString runDir = QString::fromStdString(started.at(0).at(0).value<TrainConfig>().run.dir);
    return app.window.monitor()->isTraining() ? runDir : "Start did not start training";
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());  // no leaks between runs
    QSettings().clear();
    QSettings().setValue("paths/runsRoot", runsRoot());
    SynthOptions o;
    o.train = 3;
    o.test = 1;
    o.size = {32, 32, 32};
    engine_->writeSyntheticDataset(data().toStdString(), o, nullptr);
  }

  void eachStrategyTrainsStopsResumesAndFinishes_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("devices");
    QTest::newRow("single") << int(StrategyKind::Single) << 1;
    QTest::newRow("ddp over cpu:2") << int(StrategyKind::Ddp) << 2;
    QTest::newRow("dataparallel over cpu:2") << int(StrategyKind::DataParallel) << 2;
  }

  void eachStrategyTrainsStopsResumesAndFinishes() {
    QFETCH(int, kind);
    QFETCH(int, devices);
    const StrategyKind strategy = StrategyKind(kind);
    QString runDir;
    int stoppedAt = 0;
    {
      App app(engine_);
      QVERIFY(app.open(data()));
      runDir = startFromWizard(app, strategy, 100);
      QVERIFY2(QFileInfo(runDir).isAbsolute(), qPrintable(runDir));
      // A run of this (non-demo) dataset goes under the settings' runs root.
      QVERIFY2(runDir.startsWith(runsRoot() + "/run-"), qPrintable(runDir));
      MonitorPage* monitor = app.window.monitor();
      QCOMPARE(app.window.currentPageId(), QString("monitor"));
      // Live curves, one memory series per device, and where the step time goes.
      QTRY_VERIFY_WITH_TIMEOUT(monitor->series().lossRaw.size() >= 4, vwbtest::kLastResortMs);
      QCOMPARE(int(monitor->series().memory.size()), devices);
      QVERIFY(monitor->statusPanel()->stateText().contains(strategyName(strategy)));
      QTRY_VERIFY_WITH_TIMEOUT(monitor->statusPanel()->stepTimeText().contains("data wait"), vwbtest::kLastResortMs);
      if (devices > 1) {
        QVERIFY2(monitor->statusPanel()->stepTimeText().contains("communication"),
                 qPrintable(monitor->statusPanel()->stepTimeText()));
        QCOMPARE(monitor->series().commWaitPercent.size(), monitor->series().dataWaitPercent.size());
        // Each CPU rank's own tensor memory: both ranks hold a replica and its gradients.
        for (const auto& [name, d] : monitor->series().memory) QVERIFY2(d.allocatedGiB.y.back() > 0, name.c_str());
        QVERIFY(monitor->statusPanel()->memoryText().contains("cpu:1"));
      }
      // Stop: the engine finishes its step and writes a checkpoint.
      QSignalSpy finished(monitor, &MonitorPage::runFinished);
      click(monitor->stopButton());
      QVERIFY(!finished.isEmpty() || finished.wait(vwbtest::kLastResortMs));
      QCOMPARE(finished.at(0).at(0).toInt(), int(RunOutcome::Stopped));
      QVERIFY(QFileInfo(runDir + "/checkpoints/last.pt").size() > 0);
      stoppedAt = monitor->series().lossRaw.size();
      QVERIFY(stoppedAt < 200);
      // Resume in the same window, then stop again.
      QVERIFY(monitor->resumeButton()->isEnabled());
      click(monitor->resumeButton());
      QVERIFY(monitor->isTraining());
      QTRY_VERIFY_WITH_TIMEOUT(monitor->series().lossRaw.size() > stoppedAt + 1, vwbtest::kLastResortMs);
      click(monitor->stopButton());
      QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 2, vwbtest::kLastResortMs);
      QCOMPARE(finished.at(1).at(0).toInt(), int(RunOutcome::Stopped));
      stoppedAt = monitor->series().lossRaw.size();
    }  // the window closes: the app quits

    // The app starts again, opens the run and resumes it to its end.
    App app(engine_);
    app.window.openRun(runDir);
    MonitorPage* monitor = app.window.monitor();
    // metrics.jsonl loads in the background: the curves fill in.
    QTRY_COMPARE_WITH_TIMEOUT(monitor->series().lossRaw.size(), stoppedAt, vwbtest::kLastResortMs);
    QCOMPARE(int(monitor->series().memory.size()), devices);  // rebuilt from metrics.jsonl
    QSignalSpy finished(monitor, &MonitorPage::runFinished);
    QTRY_VERIFY_WITH_TIMEOUT(monitor->resumeButton()->isEnabled(), vwbtest::kLastResortMs);
    click(monitor->resumeButton());
    QVERIFY(waitWhileSteps(monitor, [&] { return !finished.isEmpty(); }));
    QCOMPARE(finished.at(0).at(0).toInt(), int(RunOutcome::Finished));
    // Every step once, in order, across both stops and the restart.
    const auto& x = monitor->series().lossRaw.x;
    QCOMPARE(x.size(), 200);
    for (int i = 0; i < x.size(); ++i) QCOMPARE(x[i], double(i + 1));
    QCOMPARE(monitor->series().valDice.size(), 2);
    QVERIFY(QFileInfo(runDir + "/checkpoints/best.pt").size() > 0);
    QVERIFY(monitor->statusPanel()->stateText().startsWith("Finished"));
  }

  // The settings page's augmentation control: each preset with what one loader thread makes of it
  // per second at the planned patch; the preset picked there (keys in its list, as a person does)
  // re-plans and is what the started run trains with (its config.json), here strong (not the default).
  void augmentationPresetReachesTheRun() {
    App app(engine_);
    QVERIFY(app.open(data()));
    SetupWizard* wizard = app.window.wizard();
    const QString runDir = startFromWizard(app, StrategyKind::Single, 100, [wizard](TrainingSettingsPage* settings) -> QString {
      QComboBox* box = settings->augmentBox();
      if (box->count() != 4) return "the augmentation control lists " + QString::number(box->count()) + " presets";
      for (int i = 0; i < 4; ++i)
        if (!box->itemText(i).contains(QString::fromUtf8("patches/s per loader thread at 16³")))
          return "no cost at the planned patch in \"" + box->itemText(i) + "\"";
      if (!box->currentText().startsWith(augmentPresetName(TrainConfig().data.augment)))
        return "the control does not start at the default preset: " + box->currentText();
      QTest::mouseClick(box, Qt::LeftButton);  // opens the list
      if (!QTest::qWaitFor([&] { return box->view()->isVisible(); }, vwbtest::kLastResortMs)) return "no list opened";
      for (int i = box->currentIndex(); i < 3; ++i) QTest::keyClick(box->view(), Qt::Key_Down);
      QTest::keyClick(box->view(), Qt::Key_Return);
      if (!QTest::qWaitFor([&] { return !box->view()->isVisible(); }, vwbtest::kLastResortMs)) return "the list stayed open";
      if (!box->currentText().startsWith("strong")) return "picked " + box->currentText();
      if (wizard->finalConfig().data.augment != AugmentPreset::Strong) return "the pick did not reach the plan";
      if (!settings->reasonsText().contains("Augmentation strong")) return "the plan's reasons do not say strong";
      return {};
    });
    QVERIFY2(QFileInfo(runDir).isAbsolute(), qPrintable(runDir));
    MonitorPage* monitor = app.window.monitor();
    QTRY_VERIFY_WITH_TIMEOUT(monitor->series().lossRaw.size() >= 1, vwbtest::kLastResortMs);
    QFile config(runDir + "/config.json");
    QVERIFY(config.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(config.readAll()).object().value("augment").toString(), QString("strong"));
    QSignalSpy finished(monitor, &MonitorPage::runFinished);
    click(monitor->stopButton());
    QVERIFY(!finished.isEmpty() || finished.wait(vwbtest::kLastResortMs));
  }

  // The settings page's Measure button: a few seconds of the planned strategy on this machine.
  void probeMeasuresEachStrategy_data() { eachStrategyTrainsStopsResumesAndFinishes_data(); }
  void probeMeasuresEachStrategy() {
    QFETCH(int, kind);
    App app(engine_);
    QVERIFY(app.open(data()));
    SetupWizard* wizard = app.window.wizard();
    app.window.showPage("wizard");
    wizard->constraints().model.levels = 2;
    wizard->constraints().model.baseChannels = 4;
    wizard->constraints().patch = 16;
    wizard->constraints().batchPerDevice = 1;
    wizard->replan();
    while (wizard->currentId() < SetupWizard::StrategyPageId)
      QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    QAbstractButton* radio = wizard->strategyPage()->optionButton(StrategyKind(kind));
    QVERIFY(radio);
    click(radio);
    QTRY_VERIFY_WITH_TIMEOUT(wizard->hasPlan() && wizard->plan().config.distributed.strategy == StrategyKind(kind),
                             vwbtest::kLastResortMs);
    QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    TrainingSettingsPage* settings = wizard->settingsPage();
    QSignalSpy done(settings->probeRunner(), &ProbeRunner::finished);
    QSignalSpy failed(settings->probeRunner(), &ProbeRunner::failed);
    click(settings->probeButton());
    QVERIFY(settings->probeRunner()->running());
    QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() || !failed.isEmpty(), vwbtest::kLastResortMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    const ProbeResult& r = settings->probeRunner()->result();
    qInfo("probe %s: %d steps, %.2f samples/s, %.3f s/step", strategyName(StrategyKind(kind)), r.steps,
          r.samplesPerSec, r.secondsPerStep);
    QVERIFY(r.steps >= 2);
    QVERIFY(r.samplesPerSec > 0);
    QTRY_VERIFY_WITH_TIMEOUT(settings->probeText().contains("samples/s"), vwbtest::kLastResortMs);
  }
};

QTEST_MAIN(TestWizardStrategies)
#include "TestWizardStrategies.moc"

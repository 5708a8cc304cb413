// A real short training run (tiny UNet, synthetic data, CPU) started from the monitor page:
// it finishes and writes its checkpoint while the GUI event loop keeps running (the longest
// stall is measured and printed); Stop writes last.pt, Resume continues the same curves, and
// the run directory reopens with its plots rebuilt from metrics.jsonl.
#include <QFileInfo>
#include <QSignalSpy>
#include <QDir>
#include <QPushButton>
#include <QComboBox>
#include <QAbstractItemView>
#include "engine/train/ValidationRecord.h"
#include <QtTest>

#include "StallMeter.h"
#include "TestSupport.h"
#include "TinyTrainConfig.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/monitor/MonitorPage.h"
#include "ui/monitor/MonitorPlot.h"
#include "ui/monitor/RunSummary.h"
#include "ui/monitor/RunValidationControl.h"
#include "ui/monitor/RunStatusPanel.h"
#include "ui/monitor/ValidationPreviewView.h"
#include "ui/wizard/ProbeRunner.h"

using namespace vwb;
using namespace vwb::ui;

// The page's button with this text.
QPushButton* button(const QWidget& page, const QString& text) {
  for (QPushButton* b : page.findChildren<QPushButton*>())
    if (b->text() == text) return b;
  qFatal("no button %s", qPrintable(text));
}

class TestGuiTraining : public QObject {
  Q_OBJECT
  QTemporaryDir scratch_ = vwbtest::scratchDir();
  EnginePtr engine_ = makeRealEngine();

  TrainConfig tinyConfig(const QString& run, int epochs, int steps) {
    return vwbtest::tinyTrainConfig(scratch_.filePath("data").toStdString(),
                                    scratch_.filePath(run).toStdString(), epochs, steps);
  }

 private Q_SLOTS:
  void initTestCase() {
#if !(VWB_HAVE_TRAIN && VWB_HAVE_DATA)
    QSKIP("this build has no trainer or dataset module (engine/train, engine/data)");
#endif
    SynthOptions o;
    o.train = 3;
    o.test = 1;
    o.size = {32, 32, 32};
    engine_->writeSyntheticDataset(scratch_.filePath("data").toStdString(), o, nullptr);
  }

  void trainsWhileGuiStaysResponsive() {
    WorkbenchContext context(engine_);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QSignalSpy finished(&page, &MonitorPage::runFinished);
    vwbtest::StallMeter meter([&page] { return page.isTraining(); });
    QElapsedTimer clock;
    clock.start();
    page.startRun(tinyConfig("run", 2, 6));
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    meter.stop();
    qInfo("real training: %lld ms, %d steps, %d replots, longest event-loop stall %d ms",
          clock.elapsed(), page.series().lossRaw.size(), page.replotCount(), meter.longestMs());
    QCOMPARE(finished.at(0).at(0).toInt(), int(RunOutcome::Finished));
    QVERIFY(QFileInfo(scratch_.filePath("run/checkpoints/last.pt")).size() > 0);
    QVERIFY(QFileInfo::exists(scratch_.filePath("run/config.json")));
    QCOMPARE(page.series().lossRaw.size(), 12);
    QCOMPARE(page.series().trainLossPerEpoch.size(), 2);
    QCOMPARE(page.series().valDice.size(), 2);
    QVERIFY(!page.series().memory.empty());
    // The event loop ran while the engine trained (the longest stall, printed above, is
    // typically tens of ms): training is not on the GUI thread.
    QVERIFY(meter.ticksWhileBusy() > 0);
    // The real trainer's previews, read through the real engine: one per validation, the newest
    // shown (16 x 16: the tiny config validates a 16^3 crop), the arrow key steps back.
    ValidationPreviewView* view = page.previewView();
    QTRY_COMPARE_WITH_TIMEOUT(view->count(), 2, vwbtest::kLastResortMs);
    QCOMPARE(view->currentEpoch(), int64_t(2));
    QVERIFY(view->loaded());
    QCOMPARE(view->picture(0).size(), QSize(16, 16));
    QVERIFY2(view->caption().startsWith("epoch 2 · volume "), qPrintable(view->caption()));
    QVERIFY(view->caption().contains("val Dice"));
    QVERIFY(QFileInfo::exists(scratch_.filePath("run/previews/epoch-0002.tif")));
    QTest::keyClick(view, Qt::Key_Left);
    QCOMPARE(view->currentEpoch(), int64_t(1));
    QVERIFY(view->loaded());

    // The same run reopened (e.g. after an app restart): plots rebuilt from metrics.jsonl.
    MonitorPage reopened(context);
    QVERIFY(reopened.openRun(scratch_.filePath("run")));
    QTRY_VERIFY_WITH_TIMEOUT(!reopened.loading(), vwbtest::kLastResortMs);
    QCOMPARE(reopened.series().lossRaw.y, page.series().lossRaw.y);
    QCOMPARE(reopened.series().valDice.y, page.series().valDice.y);
    QCOMPARE(reopened.previewView()->count(), 2);
    QVERIFY(reopened.previewView()->loaded());
    QTest::keyClick(view, Qt::Key_End);
    QCOMPARE(reopened.previewView()->caption(), view->caption());  // same epoch, volume, slice, Dice
    QVERIFY(reopened.previewView()->picture(1) == view->picture(1));
    QVERIFY(!button(reopened, "Resume")->isEnabled());  // a finished run has nothing to resume
    QVERIFY(!button(page, "Resume")->isEnabled());
  }

  // The full sliding-window validation on request, from the monitor (what `vwb validate` does),
  // on the finished run above: the checkpoint picked with keys, Validate clicked; the record it
  // writes is the one the run's end wrote for the same weights, and a reopened page shows it.
  void validatesACheckpointOnRequest() {
    const std::string run = scratch_.filePath("run").toStdString();
    const std::string recordPath = fullValidationPath(run, "last");
    const FullValidationRecord atTheEnd = readFullValidation(recordPath);  // the run's own, at its end
    QVERIFY(QFile::remove(QString::fromStdString(recordPath)));
    WorkbenchContext context(engine_);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.openRun(scratch_.filePath("run")));
    QTRY_VERIFY_WITH_TIMEOUT(!page.loading(), vwbtest::kLastResortMs);
    RunValidationControl* control = page.validationControl();
    QComboBox* box = control->checkpointBox();
    QTRY_VERIFY_WITH_TIMEOUT(control->validateButton()->isEnabled(), vwbtest::kLastResortMs);
    QStringList names;
    for (int i = 0; i < box->count(); ++i) names << box->itemText(i);
    QCOMPARE(names, QStringList({"best", "last"}));  // no --ema: no ema.pt
    QCOMPARE(box->currentText(), QString("best"));
    QTest::mouseClick(box, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(box->view()->isVisible(), vwbtest::kLastResortMs);
    QTest::keyClick(box->view(), Qt::Key_Down);
    QTest::keyClick(box->view(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!box->view()->isVisible(), vwbtest::kLastResortMs);
    QCOMPARE(box->currentText(), QString("last"));
    QVERIFY(control->resultText().isEmpty());  // its record was removed above
    QSignalSpy done(control, &RunValidationControl::validated);
    QTest::mouseClick(control->validateButton(), Qt::LeftButton);
    QVERIFY(control->validating() || !done.isEmpty());
    QVERIFY(!done.isEmpty() || done.wait(vwbtest::kLastResortMs));
    QVERIFY2(control->resultText().startsWith("Full validation of last.pt"), qPrintable(control->resultText()));
    QVERIFY(!control->validating());
    QCOMPARE(control->validateButton()->text(), QString("Validate"));
    const FullValidationRecord onRequest = readFullValidation(recordPath);
    QCOMPARE(onRequest.checkpoint, std::string("last"));
    QCOMPARE(onRequest.step, atTheEnd.step);
    QCOMPARE(onRequest.tiles, atTheEnd.tiles);
    QCOMPARE(onRequest.volumes.size(), atTheEnd.volumes.size());
    // The same weights, the same kernels on this CPU: the same hard Dice, up to a voxel whose
    // logit sits within float rounding of 0 (one voxel moves a 16^3 crop's Dice by < 1e-3).
    QVERIFY2(std::abs(onRequest.dice - atTheEnd.dice) < 1e-3,
             qPrintable(QString("%1 vs %2").arg(onRequest.dice).arg(atTheEnd.dice)));
    QCOMPARE(control->resultText(), describeValidation(onRequest));
    QVERIFY(button(page, "Open run…")->isEnabled());

    // Reopened, with "last" picked: the record on disk is shown.
    MonitorPage reopened(context);
    QVERIFY(reopened.openRun(scratch_.filePath("run")));
    QTRY_VERIFY_WITH_TIMEOUT(!reopened.loading(), vwbtest::kLastResortMs);
    reopened.validationControl()->checkpointBox()->setCurrentText("last");
    QCOMPARE(reopened.validationControl()->resultText(), describeValidation(onRequest));
  }

  // A run that fails before its first step (a dataset folder with no volumes), started on a page
  // that showed another run: the folder keeps config.json and the error (Recent runs: "failed"),
  // the page drops the other run's ETA, throughput and memory, names no epoch, shows the error
  // once, and the memory plot keeps a readable axis.
  void failedStartLeavesAFailedRunAndACleanPage() {
    WorkbenchContext context(engine_);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    QSignalSpy finished(&page, &MonitorPage::runFinished);
    page.startRun(tinyConfig("before-failure", 1, 3));
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    QCOMPARE(finished.at(0).at(0).toInt(), int(RunOutcome::Finished));
    QVERIFY(page.statusPanel()->throughputText() != QString::fromUtf8("–"));
    QVERIFY(page.statusPanel()->memoryText() != QString::fromUtf8("–"));

    QDir(scratch_.path()).mkpath("no-volumes");
    TrainConfig c = tinyConfig("failed", 1, 3);
    c.run.dataDir = scratch_.filePath("no-volumes").toStdString();
    page.startRun(c);
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    QCOMPARE(finished.at(1).at(0).toInt(), int(RunOutcome::Failed));
    qInfo() << "failed start:" << page.statusPanel()->stateText();
    QCOMPARE(page.statusPanel()->warningCount(), 1);
    QCOMPARE(page.statusPanel()->etaText(), QString::fromUtf8("–"));
    QCOMPARE(page.statusPanel()->throughputText(), QString::fromUtf8("–"));
    QCOMPARE(page.statusPanel()->memoryText(), QString::fromUtf8("–"));
    QVERIFY2(page.statusPanel()->epochText().startsWith("not started"), qPrintable(page.statusPanel()->epochText()));
    MonitorPlot* memory = page.plots()[3];
    QVERIFY2(memory->yAxis->range().lower == 0 && memory->yAxis->range().upper >= 1,
             qPrintable(QString("%1..%2").arg(memory->yAxis->range().lower).arg(memory->yAxis->range().upper)));
    QVERIFY(QFileInfo::exists(scratch_.filePath("failed/config.json")));
    const RunSummary summary = readRunSummary(scratch_.filePath("failed"), *engine_);
    QCOMPARE(int(summary.state), int(RunState::Failed));
    QVERIFY2(summary.text().startsWith("failed"), qPrintable(summary.text()));  // what Recent runs lists
    QVERIFY(!button(page, "Resume")->isEnabled());
  }

  void stopThenResumeContinues() {
    WorkbenchContext context(engine_);
    MonitorPage page(context);
    QSignalSpy finished(&page, &MonitorPage::runFinished);
    page.startRun(tinyConfig("stopped", 3, 20));
    QTRY_VERIFY_WITH_TIMEOUT(page.series().lossRaw.size() >= 3, vwbtest::kLastResortMs);
    QTRY_VERIFY_WITH_TIMEOUT(page.statusPanel()->etaText() != QString::fromUtf8("–"), vwbtest::kLastResortMs);
    QTest::mouseClick(button(page, "Stop"), Qt::LeftButton);
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    QCOMPARE(finished.at(0).at(0).toInt(), int(RunOutcome::Stopped));
    // GUI words for a stopped run (no command-line flag), no ETA left, Resume offered.
    const QString state = page.statusPanel()->stateText();
    QVERIFY2(!state.contains("--resume") && state.contains("Resume"), qPrintable(state));
    QCOMPARE(page.statusPanel()->etaText(), QString::fromUtf8("–"));
    QVERIFY(button(page, "Resume")->isEnabled());
    const int stoppedAt = page.series().lossRaw.size();
    QVERIFY(stoppedAt < 60);
    QVERIFY(QFileInfo(scratch_.filePath("stopped/checkpoints/last.pt")).size() > 0);

    // Resume after an "app restart": a fresh page opens the run, then resumes it.
    MonitorPage restarted(context);
    QVERIFY(restarted.openRun(scratch_.filePath("stopped")));
    QTRY_VERIFY_WITH_TIMEOUT(!restarted.loading(), vwbtest::kLastResortMs);
    QCOMPARE(restarted.series().lossRaw.size(), stoppedAt);
    QSignalSpy resumedEnd(&restarted, &MonitorPage::runFinished);
    restarted.resumeRun();
    QVERIFY(restarted.isTraining());
    QTRY_VERIFY_WITH_TIMEOUT(restarted.series().lossRaw.size() > stoppedAt + 1, vwbtest::kLastResortMs);
    restarted.stopRun();
    QVERIFY(resumedEnd.wait(vwbtest::kLastResortMs));
    // Steps continue from the checkpoint: 1..N with no gap and no repeat.
    const auto& x = restarted.series().lossRaw.x;
    for (int i = 0; i < x.size(); ++i) QCOMPARE(x[i], double(i + 1));
  }

  // The wizard's probe: a few seconds of real training in a scratch folder, then a measurement.
  void probeMeasuresThroughput() {
    ProbeRunner probe(engine_);
    QSignalSpy done(&probe, &ProbeRunner::finished);
    QSignalSpy failed(&probe, &ProbeRunner::failed);
    TrainConfig c = tinyConfig("never-written", 1, 1);
    probe.start(c, 1.0);
    QVERIFY(probe.running());
    QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() || !failed.isEmpty(), vwbtest::kLastResortMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    const ProbeResult& r = probe.result();
    qInfo("probe: %d steps measured, %.2f samples/s, %.3f s/step", r.steps, r.samplesPerSec, r.secondsPerStep);
    QVERIFY(r.steps >= ProbeRunner::kMinSteps - 1);
    QVERIFY(r.samplesPerSec > 0);
    QCOMPARE(r.batchPerDevice, 2);
    QVERIFY(!QFileInfo::exists(scratch_.filePath("never-written")));  // the probe never touches the real run dir
  }

  // Closing the wizard (or the window) while the probe trains destroys its runner: the probe's
  // training stops at its next step, the worker is joined, and its scratch run folder is gone.
  void destroyingARunningProbeJoinsAndCleansUp() {
    const QString tmp = scratch_.filePath("probe-tmp");
    QVERIFY(QDir().mkpath(tmp));
    const QByteArray oldTmp = qgetenv("TMPDIR");
    qputenv("TMPDIR", tmp.toUtf8());  // where the probe's QTemporaryDir goes
    auto probe = std::make_unique<ProbeRunner>(engine_);
    QSignalSpy progress(probe.get(), &ProbeRunner::progressChanged);
    probe->start(tinyConfig("never-written-2", 1, 1), 3600.0);  // would measure for an hour
    QVERIFY(probe->running());
    // Training has started: the probe's scratch run folder exists and a step was reported.
    QTRY_VERIFY_WITH_TIMEOUT(progress.size() >= 2 && !QDir(tmp).isEmpty(), vwbtest::kLastResortMs);
    probe.reset();
    if (oldTmp.isEmpty()) qunsetenv("TMPDIR");
    else qputenv("TMPDIR", oldTmp);
    QVERIFY2(QDir(tmp).isEmpty(), qPrintable(QDir(tmp).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).join(", ")));
  }
};

QTEST_MAIN(TestGuiTraining)
#include "TestGuiTraining.moc"

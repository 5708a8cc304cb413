// The monitor turns a stream of training events into the right plot series, rebuilds them from
// metrics.jsonl, replots coalesced, and Stop/finish reach the page through the bridge.
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QToolButton>
#include <QTimer>
#include <QWheelEvent>
#include <QtTest>
#include <cmath>
#include <cstdio>

#include "FakeEngine.h"
#include "TestSupport.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"
#include "engine/train/MetricsJsonl.h"
#include "ui/monitor/MetricsLoader.h"
#include "ui/monitor/MetricsSeries.h"
#include "ui/monitor/MonitorPage.h"
#include "ui/monitor/MonitorPlot.h"
#include "ui/monitor/RunStatusPanel.h"
#include "ui/monitor/ValidationPreviewView.h"

using namespace vwb;
using namespace vwb::ui;

// Opens a run and waits until its metrics.jsonl has loaded (in the background).
bool openAndWait(MonitorPage& page, const QString& dir) {
  return page.openRun(dir) && QTest::qWaitFor([&] { return !page.loading(); }, vwbtest::kLastResortMs);
}

class TestMonitor : public QObject {
  Q_OBJECT
 private:
  static StepEvent step(int n, double loss, double elapsed) {
    StepEvent e;
    e.step = n;
    e.epoch = 1;
    e.stepInEpoch = n;
    e.stepsPerEpoch = 10;
    e.totalSteps = 20;
    e.loss = loss;
    e.lr = 0.01 * n;
    e.samplesPerSec = 4.0 * n;
    e.elapsedSec = elapsed;
    e.memory = {{"cuda:0", 1 << 30, 2 << 30, 0, 0, int64_t(16) << 30}, {"cuda:1", 3 << 28, 1 << 30, 0, 0, int64_t(16) << 30}};
    return e;
  }

 private Q_SLOTS:
  void seriesFromEvents() {
    MetricsSeries s;
    RunStartEvent start;
    start.epochs = 2;
    start.stepsPerEpoch = 10;
    s.addRunStart(start);
    s.addStep(step(1, 2.0, 1.0));
    s.addStep(step(2, 1.0, 2.0));
    s.addStep(step(3, 4.0, 3.0));
    QCOMPARE(s.lossRaw.x, QVector<double>({1, 2, 3}));
    QCOMPARE(s.lossRaw.y, QVector<double>({2.0, 1.0, 4.0}));
    // EMA with weight 0.1 starting at the first loss.
    const double ema2 = 0.1 * 1.0 + 0.9 * 2.0, ema3 = 0.1 * 4.0 + 0.9 * ema2;
    QCOMPARE(s.lossSmoothed.y.size(), 3);
    QVERIFY(qFuzzyCompare(s.lossSmoothed.y[1], ema2));
    QVERIFY(qFuzzyCompare(s.lossSmoothed.y[2], ema3));
    QCOMPARE(s.learningRate.y, QVector<double>({0.01, 0.02, 0.03}));
    QCOMPARE(s.throughput.y, QVector<double>({4, 8, 12}));
    QCOMPARE(int(s.memory.size()), 2);
    const DeviceMemorySeries& d1 = s.memory.at("cuda:1");
    QCOMPARE(d1.allocatedGiB.y, QVector<double>({0.75, 0.75, 0.75}));
    QCOMPARE(d1.reservedGiB.y.front(), 1.0);
    QCOMPARE(d1.capacityGiB, 16.0);
    QCOMPARE(d1.allocatedGiB.x, QVector<double>({1, 2, 3}));

    EpochEvent ep;
    ep.epoch = 1;
    ep.epochs = 2;
    ep.trainLoss = 1.5;
    ep.valLoss = 0.9;
    ep.valDice = 0.4;
    s.addEpoch(ep);
    EpochEvent noVal;
    noVal.epoch = 2;
    noVal.trainLoss = 1.2;
    s.addEpoch(noVal);
    QCOMPARE(s.trainLossPerEpoch.y, QVector<double>({1.5, 1.2}));
    QCOMPARE(s.valLoss.x, QVector<double>({1}));  // epochs without validation add no val point
    QCOMPARE(s.valDice.y, QVector<double>({0.4}));
  }

  void resumeContinuesCurves() {
    MetricsSeries s;
    s.addRunStart(RunStartEvent{});
    for (int i = 1; i <= 5; ++i) s.addStep(step(i, 1.0 / i, 10.0 * i));
    // Resumed from the checkpoint at step 3: steps 4-5 are replaced.
    RunStartEvent resume;
    resume.startStep = 3;
    s.addRunStart(resume);
    QCOMPARE(s.lossRaw.x, QVector<double>({1, 2, 3}));
    s.addStep(step(4, 0.3, 2.0));
    QCOMPARE(s.lossRaw.x, QVector<double>({1, 2, 3, 4}));
    QCOMPARE(s.memory.at("cuda:0").allocatedGiB.x, QVector<double>({1, 2, 3, 4}));
    QVERIFY(s.lossSmoothed.y.back() < s.lossSmoothed.y[2]);  // smoothing continues from step 3
    // Replayed metrics.jsonl has no run_start record: a step going back means the same.
    s.addStep(step(5, 0.2, 3.0));
    s.addStep(step(3, 0.25, 1.0));
    QCOMPARE(s.lossRaw.x, QVector<double>({1, 2, 3}));
    QCOMPARE(s.lossRaw.y.back(), 0.25);
  }

  // metrics.jsonl through the engine's codec: what the trainer writes is read; what it never
  // writes (other type fields, other spellings, run_start) is refused and named by its line; a
  // file of another format is refused whole, naming its format line.
  void parsesMetricsJsonl() {
    auto dir = vwbtest::scratchDir();
    const QString path = dir.filePath("metrics.jsonl");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(vwb::metricsFormatLine()) + "\n");
    f.write(R"({"type":"run_start","epochs":3,"steps_per_epoch":4,"devices":["cpu:0"],"strategy":"single"})" "\n");
    f.write(R"({"type":"step","step":1,"epoch":1,"time":1765000000.5,"loss":0.8,"lr":0.001,"grad_norm":1.5,"skipped":false,"micro_batch":2,"samples_per_s":5.5,"data_wait":0.1,"comm_wait":0.02,"step_spread":0.03,"step_s":0.4,"memory":[{"device":"cpu:0","allocated":1073741824,"reserved":0,"peak":2147483648,"free":0,"total":4294967296,"busy":-1}]})" "\n");
    f.write(R"({"event":"step","step":2,"epoch":1,"loss":0.6,"lr":0.002,"samplesPerSec":6.5,"elapsedSec":3})" "\n");
    // A key this build does not know (a later writer of the same format) is passed over.
    f.write(R"({"type":"step","step":3,"epoch":1,"loss":0.5,"lr":0.003,"samples_per_s":7.5,"later_key":{"x":[1,2]},"memory":[{"device":"cpu","allocated":536870912,"reserved":0,"peak":0,"free":0,"total":1073741824}]})" "\n");
    f.write(R"({"type":"epoch","epoch":1,"step":3,"time":1765000001,"train_loss":0.7,"epoch_s":2.5,"best":true,"val_loss":0.65,"val_dice":0.31,"val_dice_ema":0.31,"preview":"previews/epoch-0001.tif","preview_volume":"a","preview_z":12})" "\n");
    f.write("{\"type\":\"step\",\"step\":3,\"lo");  // a killed run's half-written last line
    f.close();
    MetricsFile m = readMetricsFile(path.toStdString());
    QCOMPARE(int(m.records.size()), 3);
    QCOMPARE(int(m.problems.size()), 3);
    auto problem = [&](int i) { return QString::fromStdString(m.problems.at(size_t(i))); };
    QVERIFY2(problem(0).contains(path + ":2:") && problem(0).contains("unknown record type 'run_start'"), qPrintable(problem(0)));
    QVERIFY2(problem(1).contains(path + ":4:") && problem(1).contains("without a \"type\""), qPrintable(problem(1)));
    QVERIFY2(problem(2).contains(path + ":7:") && problem(2).contains("not a JSON object"), qPrintable(problem(2)));
    const auto& s1 = std::get<StepEvent>(m.records[0]);
    QCOMPARE(s1.step, int64_t(1));
    QCOMPARE(s1.samplesPerSec, 5.5);
    QCOMPARE(s1.dataWaitFraction, 0.1);
    QCOMPARE(s1.commWaitFraction, 0.02);
    QCOMPARE(s1.stepSpread, 0.03);
    QCOMPARE(s1.secondsPerStep, 0.4);
    QCOMPARE(s1.memory.at(0).device, std::string("cpu:0"));
    QCOMPARE(s1.memory.at(0).allocatedBytes, int64_t(1) << 30);
    QCOMPARE(s1.memory.at(0).peakBytes, int64_t(2) << 30);
    QCOMPARE(s1.memory.at(0).totalBytes, int64_t(4) << 30);
    const auto& s3 = std::get<StepEvent>(m.records[1]);
    QCOMPARE(s3.samplesPerSec, 7.5);
    QCOMPARE(s3.memory.size(), size_t(1));
    QCOMPARE(s3.memory.at(0).allocatedBytes, int64_t(512) << 20);
    const auto& ep = std::get<EpochEvent>(m.records[2]);
    QVERIFY(ep.best);
    QCOMPARE(*ep.valDice, 0.31);
    QCOMPARE(ep.epochSec, 2.5);
    QCOMPARE(ep.previewPath, std::string("previews/epoch-0001.tif"));
    QCOMPARE(ep.previewZ, int64_t(12));
    QVERIFY_THROWS_EXCEPTION(vwb::Error, readMetricsFile(dir.filePath("missing.jsonl").toStdString()));

    // Another format: refused whole, naming the file and its format line.
    const QString later = dir.filePath("later.jsonl");
    QFile g(later);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(R"({"type":"format","format":"vwb-metrics/2"})" "\n" R"({"type":"step","step":1,"loss":0.5})" "\n");
    g.close();
    try {
      readMetricsFile(later.toStdString());
      QFAIL("a metrics file of another format was read");
    } catch (const vwb::Error& e) {
      QVERIFY2(QString(e.what()).contains(later + ":1:") && QString(e.what()).contains("vwb-metrics/2"), e.what());
    }
    // The monitor's background loader refuses it the same way: no curve, the line named.
    MetricsLoader loader;
    QSignalSpy records(&loader, &MetricsLoader::recordsReady);
    QSignalSpy finished(&loader, &MetricsLoader::finished);
    QVERIFY(loader.start(later));
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    QCOMPARE(records.count(), 0);
    const QStringList problems = finished.at(0).at(0).toStringList();
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems[0].contains(later + ":1:") && problems[0].contains("vwb-metrics/2"), qPrintable(problems[0]));
  }

  void pageShowsLiveRunAndCoalesces() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 3;
    engine->script.stepsPerEpoch = 40;
    engine->script.stepDelayMs = 1;  // ~120 steps in well under a second: many per replot
    WorkbenchContext context(engine);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    auto dir = vwbtest::scratchDir();
    TrainConfig config;
    config.run.dir = dir.filePath("run").toStdString();
    QSignalSpy finished(&page, &MonitorPage::runFinished);
    QElapsedTimer clock;
    clock.start();
    page.startRun(config);
    QVERIFY(page.isTraining());
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    QCOMPARE(finished.at(0).at(0).toInt(), int(RunOutcome::Finished));
    const MetricsSeries& s = page.series();
    QCOMPARE(s.lossRaw.size(), 120);
    QCOMPARE(s.valDice.size(), 3);
    QCOMPARE(int(s.memory.size()), 2);
    // Plots hold exactly the series once the coalescing replot timer has run.
    const QList<MonitorPlot*> plots = page.plots();
    QTRY_COMPARE_WITH_TIMEOUT(plots[0]->graph(0)->dataCount(), 120, vwbtest::kLastResortMs);
    QCOMPARE(plots[1]->graph(2)->dataCount(), 3);
    QCOMPARE(plots[3]->graphCount(), 6);  // allocated, reserved, capacity per device
    // Two devices: the step-time plot has the data wait, the communication wait and the spread.
    QCOMPARE(plots[5]->graphCount(), 3);
    QCOMPARE(plots[5]->graph(1)->dataCount(), 120);
    QCOMPARE(plots[3]->graph(2)->data()->at(0)->value, 16.0);
    // Coalesced: never more replots than 40 ms slots in the run, far fewer than events.
    const int replotSlots = int(clock.elapsed() / MonitorPage::kReplotIntervalMs) + 2;
    qInfo("%d events -> %d replots in %lld ms", 120 + 3 + 2, page.replotCount(), clock.elapsed());
    QVERIFY(page.replotCount() <= replotSlots);
    QVERIFY(page.replotCount() < 120);
    // The OOM fallback warning is visible on the page, not only in the log.
    QVERIFY(page.statusPanel()->warningCount() >= 1);
    QVERIFY(page.statusPanel()->stateText().startsWith("Finished"));
    // Hover read-out of a point.
    MonitorPlot* loss = plots[0];
    const QPoint px(int(loss->xAxis->coordToPixel(1)), int(loss->yAxis->coordToPixel(1.0)));
    QVERIFY(loss->hoverText(px).contains("= 1"));
    // Save as PNG and PDF.
    const QStringList files = page.savePlots(dir.filePath("plots"));
    QCOMPARE(files.size(), 12);  // six plots (loss, validation, lr, memory, throughput, step time), PNG and PDF
    for (const QString& file : files) QVERIFY2(QFileInfo(file).size() > 1000, qPrintable(file));
  }

  void stopEndsWithCheckpoint() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 100;
    engine->script.stepDelayMs = 10;
    WorkbenchContext context(engine);
    MonitorPage page(context);
    auto dir = vwbtest::scratchDir();
    TrainConfig config;
    config.run.dir = dir.filePath("run").toStdString();
    QSignalSpy finished(&page, &MonitorPage::runFinished);
    page.startRun(config);
    QTRY_VERIFY_WITH_TIMEOUT(page.series().lossRaw.size() >= 3, vwbtest::kLastResortMs);
    page.stopRun();
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    QCOMPARE(finished.at(0).at(0).toInt(), int(RunOutcome::Stopped));
    QVERIFY(page.series().lossRaw.size() < 500);
    QVERIFY(!page.isTraining());
  }

  // Numbers that agree: the first epoch reads "epoch 1 / N" while it trains; one validation
  // point sits inside its plot (x spans the run's epochs); legends sit outside the curves;
  // a reloaded unfinished run has no "ETA 0 s" and its throughput is smoothed like the live one.
  void numbersAgree() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    WorkbenchContext context(engine);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    auto dir = vwbtest::scratchDir();
    QDir(dir.path()).mkpath("run");
    QFile m(dir.filePath("run/metrics.jsonl"));
    QVERIFY(m.open(QIODevice::WriteOnly));
    m.write(QByteArray::fromStdString(vwb::metricsFormatLine()) + "\n");
    const double raw[] = {10, 20, 10, 20, 10, 20};
    for (int i = 1; i <= 6; ++i)  // steps 1-4 of epoch 1, 1-2 of epoch 2
      m.write(QString(R"({"type":"step","step":%1,"epoch":%2,"loss":0.5,"lr":0.001,"samples_per_s":%3,"memory":[{"device":"cpu","allocated":1073741824,"total":4294967296}]})" "\n")
                  .arg(i).arg((i - 1) / 4 + 1).arg(raw[i - 1]).toUtf8());
    m.write(R"({"type":"epoch","epoch":1,"epochs":6,"train_loss":0.7,"val_loss":0.65,"val_dice":0.31})" "\n");
    m.close();
    QVERIFY(openAndWait(page, dir.filePath("run")));
    const TrainConfig config;  // what the fake engine's loadRunConfig gives: the run's length
    QCOMPARE(page.statusPanel()->epochText(), QString("epoch 2 / %1 (1 done)").arg(config.run.epochs));
    QCOMPARE(page.statusPanel()->etaText(), QString::fromUtf8("–"));
    // The trainer's EMA (0.9 old + 0.1 new) over the recorded raw values.
    double ema = 0;
    for (int i = 0; i < 6; ++i) ema = i == 0 ? raw[0] : 0.9 * ema + 0.1 * raw[i];
    QVERIFY(qFuzzyCompare(page.series().throughput.y.back(), ema));
    page.plots()[0]->replot();
    MonitorPlot* val = page.plots()[1];
    val->replot();
    QCOMPARE(val->xAxis->range().lower, 0.5);
    QCOMPARE(val->xAxis->range().upper, config.run.epochs + 0.5);
    for (int g = 0; g < 3; ++g) {
      const double y = val->graph(g)->data()->at(0)->value;
      QVERIFY2(val->yAxis->range().contains(y) && y < val->yAxis->range().upper && y > val->yAxis->range().lower,
               "a single point is inside the value range, not on its edge");
    }
    for (MonitorPlot* p : page.plots())
      if (p->legend->visible()) QVERIFY(!p->legend->outerRect().intersects(p->axisRect()->rect()));

    // Live: during epoch 1 the bar reads epoch 1.
    RunStatusPanel panel;
    MetricsSeries s;
    RunStartEvent start;
    start.epochs = 6;
    start.stepsPerEpoch = 10;
    s.addRunStart(start);
    s.addStep(step(3, 1.0, 1.0));
    panel.showSeries(s);
    QCOMPARE(panel.epochText(), QString("epoch 1 / 6 (0 done)"));
  }

  // Look rather than read: after each epoch event the monitor shows that epoch's preview (CT,
  // prediction, ground truth) with its caption, follows the newest, and steps back with the
  // slider, the arrow buttons and the keys.
  void previewShowsEachValidationAndStepsBack() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 4;
    engine->script.stepsPerEpoch = 3;
    WorkbenchContext context(engine);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    ValidationPreviewView* view = page.previewView();
    QVERIFY(!view->loaded());
    auto dir = vwbtest::scratchDir();
    TrainConfig config;
    config.run.dir = dir.filePath("run").toStdString();
    QSignalSpy finished(&page, &MonitorPage::runFinished);
    page.startRun(config);
    QVERIFY(finished.wait(vwbtest::kLastResortMs));
    QTRY_COMPARE_WITH_TIMEOUT(view->count(), 4, vwbtest::kLastResortMs);
    QCOMPARE(view->currentEpoch(), int64_t(4));
    QVERIFY(view->loaded());
    QCOMPARE(view->caption(), QString::fromUtf8("epoch 4 · volume 1001 · slice z 40 · val Dice 1.200"));
    // The pictures: CT grey; ground truth cyan on the label band, dark where ignored; the
    // prediction orange with the epoch's probability inside the band.
    QCOMPARE(view->picture(0).size(), QSize(12, 8));
    QCOMPARE(QColor(view->picture(0).pixel(5, 6)), QColor(100, 100, 100));
    QCOMPARE(QColor(view->picture(2).pixel(5, 3)), QColor(0, 200, 255));
    QVERIFY(qRed(view->picture(2).pixel(0, 0)) < 10);
    auto orangeShare = [&] {  // how far the band's pixel is from the dimmed CT toward orange
      const QRgb c = view->picture(1).pixel(5, 3);
      return (qRed(c) - 50) / double(255 - 50);
    };
    QVERIFY(std::abs(orangeShare() - 160 / 255.0) < 0.02);  // p > 0.5: opacity p
    // Step back: the arrow key, the previous button, the slider's Home key; forward with End.
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Left);
    QCOMPARE(view->currentEpoch(), int64_t(3));
    QVERIFY(view->caption().startsWith("epoch 3 ·"));
    QVERIFY(std::abs(orangeShare() - 0.5 * 120 / 255.0) < 0.02);  // p < 0.5: half of it
    QTest::mouseClick(view->findChild<QToolButton*>("previousPreview"), Qt::LeftButton);
    QCOMPARE(view->currentEpoch(), int64_t(2));
    QCOMPARE(view->slider()->value(), 1);
    QTest::keyClick(view->slider(), Qt::Key_Home);
    QCOMPARE(view->currentEpoch(), int64_t(1));
    QVERIFY(!view->findChild<QToolButton*>("previousPreview")->isEnabled());
    // Stepped back, a new epoch does not pull the view away; at the newest it follows.
    QVector<PreviewEntry> more = page.series().previews;
    more.push_back({5, more.back().path, "1001", 40, 0.9});
    view->setPreviews(more, QString::fromStdString(config.run.dir));
    QCOMPARE(view->currentEpoch(), int64_t(1));
    QTest::keyClick(view, Qt::Key_End);
    QCOMPARE(view->currentEpoch(), int64_t(5));
    more.push_back({6, more.back().path, "1001", 40, 0.95});
    view->setPreviews(more, QString::fromStdString(config.run.dir));
    QCOMPARE(view->currentEpoch(), int64_t(6));
    // A pruned file: the view says so and keeps working.
    {
      std::lock_guard<std::mutex> lock(engine->previewMutex);
      engine->previewFiles.erase(page.series().previews[1].path.toStdString());
    }
    view->setPreviews(page.series().previews, QString::fromStdString(config.run.dir));
    view->showIndex(1);
    QCOMPARE(view->currentEpoch(), int64_t(2));
    QVERIFY(!view->loaded());
    QTest::keyClick(view, Qt::Key_Right);
    QVERIFY(view->loaded());
    // No reread while the preview shown stays the same (the page refreshes every 40 ms).
    const int reads = engine->previewReads;
    page.setXAxis(MonitorPage::XAxis::Step);
    QCOMPARE(int(engine->previewReads), reads);
  }

  // A reloaded run (finished or stopped) shows its previews from metrics.jsonl's relative paths.
  void reloadedRunShowsItsPreviews() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    WorkbenchContext context(engine);
    MonitorPage page(context);
    auto dir = vwbtest::scratchDir();
    const QString run = QDir(dir.filePath("run")).absolutePath();
    QDir().mkpath(run);
    QFile m(run + "/metrics.jsonl");
    QVERIFY(m.open(QIODevice::WriteOnly));
    for (int e = 1; e <= 3; ++e) {
      m.write(QString(R"({"type":"step","step":%1,"epoch":%1,"loss":0.5,"lr":0.001})" "\n").arg(e).toUtf8());
      m.write(QString(R"({"type":"epoch","epoch":%1,"train_loss":0.5,"val_loss":0.4,"val_dice":0.%1,"preview":"previews/epoch-000%1.tif","preview_volume":"v7","preview_z":12})" "\n")
                  .arg(e).toUtf8());
      engine->previewFiles[(run + QString("/previews/epoch-000%1.tif").arg(e)).toStdString()] = vwbtest::fakePreview(e);
    }
    m.close();
    QVERIFY(openAndWait(page, run));
    ValidationPreviewView* view = page.previewView();
    QCOMPARE(view->count(), 3);
    QCOMPARE(view->currentEpoch(), int64_t(3));
    QVERIFY(view->loaded());
    QCOMPARE(view->caption(), QString::fromUtf8("epoch 3 · volume v7 · slice z 12 · val Dice 0.300"));
    QTest::keyClick(view, Qt::Key_Left);
    QCOMPARE(view->currentEpoch(), int64_t(2));
    // Another run starts at its own newest preview (here: none).
    QDir().mkpath(run + "2");
    QFile other(run + "2/metrics.jsonl");
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.write(R"({"type":"step","step":1,"epoch":1,"loss":0.5,"lr":0.001})" "\n");
    other.close();
    QVERIFY(openAndWait(page, run + "2"));
    QCOMPARE(view->count(), 0);
    QVERIFY(!view->loaded());
  }

  // Several runs' curves on the same plots: "Compare with run…" adds one (its colour, its name in
  // the legend, below the axes), its × removes it; x by step or by epoch for every run alike.
  void comparesRunsCurves() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    WorkbenchContext context(engine);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    auto dir = vwbtest::scratchDir();
    auto writeRun = [&](const QString& name, int steps, int stepsPerEpoch, double scale) {
      const QString run = QDir(dir.filePath(name)).absolutePath();
      QDir().mkpath(run);
      QFile f(run + "/config.json");
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QString(R"({"epochs": %1, "steps_per_epoch": %2})").arg(steps / stepsPerEpoch).arg(stepsPerEpoch).toUtf8());
      f.close();
      QFile m(run + "/metrics.jsonl");
      QVERIFY(m.open(QIODevice::WriteOnly));
      for (int i = 1; i <= steps; ++i) {
        m.write(QString(R"({"type":"step","step":%1,"epoch":%2,"loss":%3,"lr":0.001})" "\n")
                    .arg(i).arg((i - 1) / stepsPerEpoch + 1).arg(scale / i).toUtf8());
        if (i % stepsPerEpoch == 0)
          m.write(QString(R"({"type":"epoch","epoch":%1,"train_loss":%2,"val_loss":%2,"val_dice":%3})" "\n")
                      .arg(i / stepsPerEpoch).arg(scale / i).arg(0.1 * i / stepsPerEpoch).toUtf8());
      }
      m.close();
    };
    writeRun("mine", 12, 4, 1.0);
    writeRun("other", 20, 10, 2.0);
    writeRun("third", 6, 3, 3.0);
    QVERIFY(openAndWait(page, dir.filePath("mine")));
    MonitorPlot* loss = page.plots()[0];
    MonitorPlot* val = page.plots()[1];
    QCOMPARE(loss->graphCount(), 2);
    QCOMPARE(val->graphCount(), 3);

    // The button opens a folder dialog; choosing the other run adds its curves.
    auto* compare = page.findChild<QPushButton*>("compareRun");
    QVERIFY(compare && compare->isEnabled());
    QTest::mouseClick(compare, Qt::LeftButton);
    QFileDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = page.findChild<QFileDialog*>("compareRunDialog")) && dialog->isVisible(),
                             vwbtest::kLastResortMs);
    auto* name = dialog->findChild<QLineEdit*>("fileNameEdit");
    QVERIFY(name);
    name->setText(QDir(dir.filePath("other")).absolutePath());
    QTest::keyClick(name, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(page.comparedRuns().size(), 1, vwbtest::kLastResortMs);
    QCOMPARE(page.comparedRuns().at(0), QDir(dir.filePath("other")).absolutePath());
    QCOMPARE(loss->graphCount(), 3);
    QCOMPARE(loss->graph(2)->name(), QString("other"));
    QCOMPARE(loss->graph(2)->dataCount(), 20);
    QCOMPARE(val->graphCount(), 5);
    QCOMPARE(val->graph(3)->name(), QString("other val dice"));
    QCOMPARE(val->graph(3)->dataCount(), 2);
    QCOMPARE(val->graph(4)->name(), QString("other val loss"));
    for (int g = 0; g < 3; ++g) QVERIFY(val->graph(g)->pen().color() != val->graph(3)->pen().color());
    QVERIFY(loss->graph(1)->pen().color() != loss->graph(2)->pen().color());
    // Its epochs widen the validation plot (2 epochs here vs 3: the wider wins) and its values show.
    loss->replot();
    val->replot();
    QVERIFY(val->xAxis->range().upper >= 3.5);
    QVERIFY(loss->yAxis->range().contains(2.0));  // the other run's first loss
    // Legends name every run and stay below the axes.
    for (MonitorPlot* p : {loss, val}) {
      QVERIFY(p->legend->visible());
      QVERIFY(p->legend->hasItemWithPlottable(p->graph(p->graphCount() - 1)));
      QVERIFY(!p->legend->outerRect().intersects(p->axisRect()->rect()));
    }

    // By epoch: each run's steps divided by its own epoch length (4 and 10).
    auto* axis = page.findChild<QComboBox*>("xAxis");
    QTest::keyClick(axis, Qt::Key_Down);
    QCOMPARE(page.xAxis(), MonitorPage::XAxis::Epoch);
    QCOMPARE(loss->graph(1)->data()->at(11)->key, 3.0);  // step 12 of 4-step epochs
    QCOMPARE(loss->graph(2)->data()->at(19)->key, 2.0);  // step 20 of 10-step epochs
    QCOMPARE(loss->xAxis->label(), QString("epoch"));
    QTest::keyClick(axis, Qt::Key_Up);
    QCOMPARE(loss->graph(2)->data()->at(19)->key, 20.0);

    // A third run gets another colour; the open run and a run compared already are refused.
    QVERIFY(page.compareRun(dir.filePath("third")));
    QCOMPARE(loss->graphCount(), 4);
    QVERIFY(loss->graph(3)->pen().color() != loss->graph(2)->pen().color());
    QVERIFY(!page.compareRun(dir.filePath("mine")));
    QVERIFY(!page.compareRun(dir.filePath("other")));
    QVERIFY(!page.compareRun(dir.filePath("missing")));
    QCOMPARE(page.comparedRuns().size(), 2);

    // × takes a run's curves away, and only its.
    QList<QToolButton*> removes = page.findChildren<QToolButton*>("removeCompared");
    QCOMPARE(removes.size(), 2);
    QTest::mouseClick(removes.at(0), Qt::LeftButton);
    QCOMPARE(page.comparedRuns(), QStringList{QDir(dir.filePath("third")).absolutePath()});
    QCOMPARE(loss->graphCount(), 3);
    QCOMPARE(loss->graph(2)->name(), QString("third"));
    QCOMPARE(val->graphCount(), 5);
    for (int g = 0; g < val->graphCount(); ++g) QVERIFY(!val->graph(g)->name().startsWith("other"));
    QTRY_COMPARE_WITH_TIMEOUT(page.findChildren<QToolButton*>("removeCompared").size(), 1, vwbtest::kLastResortMs);
    QTest::mouseClick(page.findChildren<QToolButton*>("removeCompared").at(0), Qt::LeftButton);
    QVERIFY(page.comparedRuns().isEmpty());
    QCOMPARE(loss->graphCount(), 2);
    QCOMPARE(val->graphCount(), 3);
  }

  // Closing the page while a run trains and previews arrive: the run stops and joins, no crash.
  void closingWhileTrainingWithPreviews() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 100000;
    engine->script.stepsPerEpoch = 2;
    engine->script.stepDelayMs = 1;
    WorkbenchContext context(engine);
    auto dir = vwbtest::scratchDir();
    auto page = std::make_unique<MonitorPage>(context);
    page->show();
    QVERIFY(page->compareRun([&] {
      QDir().mkpath(dir.filePath("other"));
      QFile m(dir.filePath("other/metrics.jsonl"));
      m.open(QIODevice::WriteOnly);
      m.write(R"({"type":"step","step":1,"epoch":1,"loss":0.5,"lr":0.001})" "\n");
      return dir.filePath("other");
    }()));
    TrainConfig config;
    config.run.dir = dir.filePath("run").toStdString();
    page->startRun(config);
    QTRY_VERIFY_WITH_TIMEOUT(page->previewView()->count() >= 3, vwbtest::kLastResortMs);
    page.reset();
    QTRY_COMPARE_WITH_TIMEOUT(int(engine->running), 0, vwbtest::kLastResortMs);
  }

  // A 1000-epoch run (250,000 step lines, as the trainer writes them): openRun returns at once
  // and the file loads in the background with progress; the curves hold every point (drawn
  // decimated), hover reads exact values; the wheel over the x axis zooms x only, over the y
  // axis y only, a drag pans, a double-click gives the view back to the data. Times printed.
  void longRunLoadsInTheBackgroundZoomsAndPans() {
    WorkbenchContext context(makeRealEngine());  // reads the run's config.json as the app does
    auto dir = vwbtest::scratchDir();
    QDir(dir.path()).mkpath("long");
    constexpr int kSteps = 250000, kPerEpoch = 250;
    {
      TrainConfig c;
      c.run.epochs = kSteps / kPerEpoch;
      c.run.stepsPerEpoch = kPerEpoch;
      QFile config(dir.filePath("long/config.json"));
      QVERIFY(config.open(QIODevice::WriteOnly));
      config.write(QByteArray::fromStdString(c.toJson()));
    }
    auto lossAt = [](int step) { return 0.2 + 0.8 * std::exp(-step / 50000.0) + 0.05 * std::sin(step * 0.37); };
    {
      QFile m(dir.filePath("long/metrics.jsonl"));
      QVERIFY(m.open(QIODevice::WriteOnly));
      m.write(QByteArray::fromStdString(vwb::metricsFormatLine()) + "\n");
      QByteArray buffer;
      char line[512];
      for (int step = 1; step <= kSteps; ++step) {
        std::snprintf(line, sizeof line,
                      R"({"type":"step","step":%d,"epoch":%d,"time":1765000000.%03d,"loss":%.17g,"lr":%.6g,"grad_norm":1.25,"skipped":false,"micro_batch":2,"samples_per_s":%.4g,"data_wait":0.012,"memory":[{"device":"cpu","allocated":%lld,"reserved":2147483648,"peak":2147483648,"free":0,"total":25769803776}]})"
                      "\n",
                      step, (step - 1) / kPerEpoch + 1, step % 1000, lossAt(step), 1e-3 * (1.0 - step / double(kSteps)),
                      3.0 + 0.5 * std::sin(step * 0.01), 1073741824LL + (step % 97) * 1048576LL);
        buffer.append(line);
        if (step % kPerEpoch == 0) {
          std::snprintf(line, sizeof line, R"({"type":"epoch","epoch":%d,"epochs":1000,"train_loss":%.6g,"val_loss":%.6g,"val_dice":%.6g})" "\n",
                        step / kPerEpoch, lossAt(step), lossAt(step) + 0.05, 0.3 + 0.5 * step / double(kSteps));
          buffer.append(line);
        }
        if (buffer.size() > (8 << 20)) m.write(std::exchange(buffer, QByteArray()));
      }
      m.write(buffer);
      qInfo("metrics.jsonl: %lld MB", (long long)(m.size() >> 20));
    }
    MonitorPage page(context);
    page.resize(1400, 900);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QStringList states;
    QObject watch;
    QSignalSpy loaded(&page, &MonitorPage::runLoaded);
    QElapsedTimer clock;
    // When the loss plot was first drawn holding every step (a condition, recorded as it
    // happens: the replot may come before or after the load's signal is handled).
    double curvesMs = -1;
    connect(page.plots()[0], &QCustomPlot::afterReplot, &watch, [&] {
      if (curvesMs < 0 && page.plots()[0]->graphCount() > 0 && page.plots()[0]->graph(0)->dataCount() == kSteps)
        curvesMs = clock.nsecsElapsed() / 1e6;
    });
    clock.start();
    QVERIFY(page.openRun(dir.filePath("long")));
    const double openMs = clock.nsecsElapsed() / 1e6;
    QVERIFY(page.loading());  // the window is up and answering; the file is still being read
    QTimer poll;  // what the user sees while it loads
    connect(&poll, &QTimer::timeout, &watch, [&] {
      states << page.statusPanel()->stateText();
      if (page.series().lossRaw.size() > 0 && page.series().lossRaw.size() < kSteps) states << "partial";
    });
    poll.start(20);
    QVERIFY(loaded.wait(vwbtest::kLastResortMs));
    const double loadedMs = clock.nsecsElapsed() / 1e6;
    poll.stop();
    QVERIFY(!page.loading());
    const QList<MonitorPlot*> plots = page.plots();
    MonitorPlot* loss = plots[0];
    QTRY_COMPARE_WITH_TIMEOUT(loss->graph(0)->dataCount(), kSteps, vwbtest::kLastResortMs);  // every point kept
    QTRY_VERIFY_WITH_TIMEOUT(curvesMs >= 0, vwbtest::kLastResortMs);  // and drawn
    qInfo("250,000 step lines: openRun returned in %.1f ms, file loaded in %.0f ms, curves drawn at %.0f ms",
          openMs, loadedMs, curvesMs);
    QVERIFY2(states.filter("reading metrics.jsonl").size() + states.filter("partial").size() > 0,
             "the page showed the load in progress");
    QCOMPARE(page.series().lossRaw.size(), kSteps);
    QCOMPARE(page.series().valDice.size(), 1000);
    QCOMPARE(page.statusPanel()->epochText(), QString("epoch 1000 / 1000"));
    QVERIFY(loss->graph(0)->adaptiveSampling());  // decimated for drawing only
    QVERIFY(loss->followsData());

    // Wheel over the x axis (under the plot): x zooms, y stays.
    QCPAxisRect* rect = loss->axisRect();
    const QCPRange x0 = loss->xAxis->range(), y0 = loss->yAxis->range();
    auto wheel = [&](QPoint at, int notches) {
      QElapsedTimer t;
      t.start();
      QWheelEvent e(at, loss->mapToGlobal(at), {}, {0, 120 * notches}, Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(loss, &e);
      loss->replot();  // what the queued replot does next
      return t.nsecsElapsed() / 1e6;
    };
    const QPoint onXAxis(rect->center().x(), rect->bottom() + 8);
    const double zoomMs = wheel(onXAxis, 40);  // 0.85^40: ~1/660 of the range
    qInfo("zoom (one wheel event + replot of 250,000 points): %.1f ms", zoomMs);
    QVERIFY2(loss->xAxis->range().size() < x0.size() / 100, qPrintable(QString::number(loss->xAxis->range().size())));
    QCOMPARE(loss->yAxis->range(), y0);
    QVERIFY(!loss->followsData());
    // Wheel over the y axis (left of the plot): y zooms, x stays.
    const QCPRange x1 = loss->xAxis->range();
    wheel(QPoint(rect->left() - 8, rect->center().y()), 3);
    QCOMPARE(loss->xAxis->range(), x1);
    QVERIFY(loss->yAxis->range().size() < y0.size() * 0.8);
    // Drag pans: 100 px to the left shows later steps.
    QElapsedTimer t;
    t.start();
    QTest::mousePress(loss, Qt::LeftButton, {}, rect->center());
    QTest::mouseMove(loss, rect->center() - QPoint(50, 0));
    QTest::mouseMove(loss, rect->center() - QPoint(100, 0));
    QTest::mouseRelease(loss, Qt::LeftButton, {}, rect->center() - QPoint(100, 0));
    loss->replot();
    qInfo("pan (drag of 100 px + replot): %.1f ms", t.nsecsElapsed() / 1e6);
    const double perPixel = x1.size() / rect->width();
    QVERIFY2(std::abs(loss->xAxis->range().lower - (x1.lower + 100 * perPixel)) < 5 * perPixel,
             qPrintable(QString("%1 vs %2").arg(loss->xAxis->range().lower).arg(x1.lower + 100 * perPixel)));
    // Hover in the zoomed view reads the recorded value of that step, exactly.
    const int step = int(loss->xAxis->range().center());
    loss->yAxis->setRange(lossAt(step) - 0.2, lossAt(step) + 0.2);
    loss->replot();
    const QPoint px(int(std::lround(loss->xAxis->coordToPixel(step))), int(std::lround(loss->yAxis->coordToPixel(lossAt(step)))));
    const QString hover = loss->hoverText(px);
    QVERIFY2(hover.contains(QString("step = %1").arg(step)) && hover.contains(QString::number(lossAt(step), 'g', 5)),
             qPrintable(hover + " / step " + QString::number(step)));
    const QCPRange zoomed = loss->xAxis->range();
    if (!qEnvironmentVariableIsEmpty("VWB_TEST_SCREENSHOTS"))
      page.grab().save(qEnvironmentVariable("VWB_TEST_SCREENSHOTS") + "/monitor-long-run-zoomed.png");
    page.setXAxis(MonitorPage::XAxis::Step);  // a refresh: the user's view stays
    QCOMPARE(loss->xAxis->range(), zoomed);
    // Double-click: the view follows the data again, all 250,000 steps.
    QTest::mouseDClick(loss, Qt::LeftButton, {}, rect->center());
    QVERIFY(loss->followsData());
    QVERIFY(loss->xAxis->range().lower <= 1 && loss->xAxis->range().upper >= kSteps);
  }

  // A live run's new points do not move a view the user zoomed into; the double-click gives it
  // back and it follows the run again.
  void liveRunKeepsAZoomedView() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 40;
    engine->script.stepsPerEpoch = 20;
    engine->script.stepDelayMs = 5;
    WorkbenchContext context(engine);
    MonitorPage page(context);
    page.resize(1200, 800);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto dir = vwbtest::scratchDir();
    TrainConfig config;
    config.run.dir = dir.filePath("run").toStdString();
    QSignalSpy finished(&page, &MonitorPage::runFinished);
    page.startRun(config);
    MonitorPlot* loss = page.plots()[0];
    QTRY_VERIFY_WITH_TIMEOUT(loss->graph(0)->dataCount() >= 40, vwbtest::kLastResortMs);
    const QPoint inside = loss->axisRect()->center();
    QWheelEvent e(inside, loss->mapToGlobal(inside), {}, {0, 240}, Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(loss, &e);
    const QCPRange x = loss->xAxis->range(), y = loss->yAxis->range();
    const int pointsThen = loss->graph(0)->dataCount();
    QTRY_VERIFY_WITH_TIMEOUT(loss->graph(0)->dataCount() >= pointsThen + 100 || !page.isTraining(), vwbtest::kLastResortMs);
    QVERIFY(loss->graph(0)->dataCount() > pointsThen);
    QCOMPARE(loss->xAxis->range(), x);
    QCOMPARE(loss->yAxis->range(), y);
    QTest::mouseDClick(loss, Qt::LeftButton, {}, inside);
    QVERIFY(loss->followsData());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, vwbtest::kLastResortMs);
    QTRY_VERIFY_WITH_TIMEOUT(loss->xAxis->range().upper >= page.series().lossRaw.x.back(), vwbtest::kLastResortMs);
    page.stopAndWait();
  }

  void openRunRebuildsPlots() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    WorkbenchContext context(engine);
    MonitorPage page(context);
    auto dir = vwbtest::scratchDir();
    QDir(dir.path()).mkpath("run/logs");
    QFile m(dir.filePath("run/metrics.jsonl"));
    QVERIFY(m.open(QIODevice::WriteOnly));
    for (int i = 1; i <= 7; ++i)
      m.write(QString(R"({"type":"step","step":%1,"loss":%2,"lr":0.001})" "\n").arg(i).arg(1.0 / i).toUtf8());
    m.close();
    QFile log(dir.filePath("run/logs/training.log"));
    QVERIFY(log.open(QIODevice::WriteOnly));
    log.write("[info] epoch 1\n[warn] data loader fell behind\n");
    log.close();
    QVERIFY(openAndWait(page, dir.filePath("run")));
    QCOMPARE(page.series().lossRaw.size(), 7);
    QCOMPARE(page.plots()[0]->graph(0)->dataCount(), 7);
    QCOMPARE(context.runDir(), QDir(dir.filePath("run")).absolutePath());
    QCOMPARE(page.statusPanel()->warningCount(), 1);
    QVERIFY(!page.openRun(dir.filePath("nothing-here")));
  }
};

QTEST_MAIN(TestMonitor)
#include "TestMonitor.moc"

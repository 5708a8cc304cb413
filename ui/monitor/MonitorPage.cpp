#include "ui/monitor/MonitorPage.h"

#include <algorithm>

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>
#include <variant>

#include "engine/core/Error.h"
#include "engine/run/RunFolder.h"
#include "engine/train/MetricsJsonl.h"
#include "ui/common/TrainingThread.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/monitor/ComparedRuns.h"
#include "ui/monitor/ComparedRunsBar.h"
#include "ui/monitor/LogTail.h"
#include "ui/monitor/MetricsLoader.h"
#include "ui/monitor/MonitorPlot.h"
#include "ui/monitor/RunControl.h"
#include "ui/monitor/RunStatusPanel.h"
#include "ui/monitor/ValidationPreviewView.h"

namespace vwb::ui {

namespace {
const QColor kRaw(150, 170, 200);
const QColor kSmooth(25, 85, 170);
const QColor kVal(200, 80, 30);
const QColor kDice(30, 140, 60);

// Keys of a step series, by step or by epoch (step / steps per epoch).
QVector<double> keys(const vwb::ui::Series& s, bool byEpoch, double stepsPerEpoch) {
  if (!byEpoch || stepsPerEpoch <= 0) return s.x;
  QVector<double> k = s.x;
  for (double& v : k) v /= stepsPerEpoch;
  return k;
}

bool isWarningLine(const QString& line) {
  return line.contains("[warn", Qt::CaseInsensitive) || line.contains("[error", Qt::CaseInsensitive) ||
         line.contains("out of memory", Qt::CaseInsensitive);
}
}  // namespace

MonitorPage::MonitorPage(WorkbenchContext& context, QWidget* parent)
    : QWidget(parent), context_(context) {
  status_ = new RunStatusPanel;
  log_ = new LogTail;
  preview_ = new ValidationPreviewView(context_.engine());
  loader_ = new MetricsLoader(this);
  control_ = new RunControl(*this, context_);
  compared_ = new ComparedRuns(context_.engine(), this);
  connect(compared_, &ComparedRuns::added, this, &MonitorPage::drawComparedRun);
  connect(compared_, &ComparedRuns::removed, this, &MonitorPage::eraseComparedRun);
  buildPlots();
  connectLoader();

  save_ = new QPushButton(QIcon::fromTheme("document-save"), tr("Save plots…"));
  compare_ = new QPushButton(QIcon::fromTheme("list-add"), tr("Compare with run…"));
  compare_->setObjectName("compareRun");
  compare_->setToolTip(tr("Overlay another run's loss and validation curves"));
  xAxisBox_ = new QComboBox;
  xAxisBox_->setObjectName("xAxis");
  xAxisBox_->addItem(tr("x axis: step"));
  xAxisBox_->addItem(tr("x axis: epoch"));
  xAxisBox_->setToolTip(
      tr("Plot the step curves by global step, or by epoch so that runs of different epoch lengths line up"));
  connect(compare_, &QPushButton::clicked, this, &MonitorPage::compareRunDialog);
  connect(xAxisBox_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxis(i == 1 ? XAxis::Epoch : XAxis::Step); });
  connect(save_, &QPushButton::clicked, this, &MonitorPage::saveAllDialog);
  connect(log_, &LogTail::linesAppended, this, [this](const QStringList& lines) {
    if (control_->hasRun()) return;  // live runs report warnings through the bridge
    for (const QString& l : lines)
      if (isWarningLine(l)) status_->addWarning(l);
  });

  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {control_->stopButton(), control_->resumeButton(), control_->openButton(), save_,
                         control_->newRunButton(), compare_})
    buttons->addWidget(b);
  buttons->addWidget(xAxisBox_);
  buttons->addStretch();

  // The compared runs: a coloured name and a remove button each, in one row (hidden when none).
  compareBar_ = new ComparedRunsBar(*compared_);

  auto* grid = new QWidget;
  auto* g = new QGridLayout(grid);
  g->setContentsMargins(0, 0, 0, 0);
  g->setSpacing(4);
  // Curves and the preview of what they measure side by side; the log's tail runs underneath.
  g->addWidget(lossPlot_, 0, 0);
  g->addWidget(valPlot_, 0, 1);
  g->addWidget(preview_, 0, 2);
  // The second row holds four plots over the three columns.
  auto* second = new QHBoxLayout;
  second->setSpacing(4);
  for (MonitorPlot* p : {lrPlot_, memoryPlot_, throughputPlot_, stepTimePlot_}) second->addWidget(p, 1);
  g->addLayout(second, 1, 0, 1, 3);
  g->addWidget(log_, 2, 0, 1, 3);
  for (int c = 0; c < 3; ++c) g->setColumnStretch(c, 1);  // equal columns whatever the log holds
  g->setRowStretch(0, 5);
  g->setRowStretch(1, 4);
  g->setRowStretch(2, 2);
  log_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  preview_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(compareBar_);
  layout->addWidget(status_);
  layout->addWidget(grid, 1);

  replotTimer_.setSingleShot(true);
  replotTimer_.setInterval(kReplotIntervalMs);
  connect(&replotTimer_, &QTimer::timeout, this, &MonitorPage::refreshPlots);
  updateButtons();
}

// The run goes first (stops and joins its worker) while everything its events reach still exists.
MonitorPage::~MonitorPage() { control_->release(); }

void MonitorPage::buildPlots() {
  lossPlot_ = new MonitorPlot(tr("Training loss"), tr("step"), tr("loss"));
  lossPlot_->addLine(tr("raw"), kRaw, Qt::SolidLine, 1.0);
  lossPlot_->addLine(tr("smoothed"), kSmooth, Qt::SolidLine, 2.0);

  valPlot_ = new MonitorPlot(tr("Validation per epoch"), tr("epoch"), tr("value"));
  auto epochTicks = QSharedPointer<QCPAxisTickerFixed>::create();  // epochs are whole numbers
  epochTicks->setTickStep(1.0);
  epochTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  valPlot_->xAxis->setTicker(epochTicks);
  for (QCPGraph* gr : {valPlot_->addLine(tr("train loss"), kRaw), valPlot_->addLine(tr("val loss"), kVal),
                       valPlot_->addLine(tr("val dice"), kDice)})
    gr->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));

  lrPlot_ = new MonitorPlot(tr("Learning rate"), tr("step"), tr("lr"));
  lrPlot_->addLine(tr("lr"), QColor(120, 60, 160));

  memoryPlot_ = new MonitorPlot(tr("Device memory"), tr("step"), tr("GiB"));
  throughputPlot_ = new MonitorPlot(tr("Throughput"), tr("step"), tr("samples/s"));
  throughputPlot_->addLine(tr("samples/s"), QColor(0, 130, 130));
  // Where each step's time goes; the communication and spread lines, and each GPU's busy
  // share, appear once the run has several devices (or a driver that reports it).
  stepTimePlot_ = new MonitorPlot(tr("Step time"), tr("step"), tr("% of the step"));
  stepTimePlot_->addLine(tr("data wait"), QColor(200, 80, 30));
}

QList<MonitorPlot*> MonitorPage::plots() const {
  return {lossPlot_, valPlot_, lrPlot_, memoryPlot_, throughputPlot_, stepTimePlot_};
}

QColor MonitorPage::deviceColor(int index) const {
  static const QColor colors[] = {QColor(25, 85, 170), QColor(200, 80, 30), QColor(30, 140, 60),
                                  QColor(150, 50, 150), QColor(0, 130, 130), QColor(160, 120, 0)};
  return colors[index % 6];
}

bool MonitorPage::isTraining() const { return control_->training(); }
QPushButton* MonitorPage::stopButton() const { return control_->stopButton(); }
QPushButton* MonitorPage::resumeButton() const { return control_->resumeButton(); }

void MonitorPage::connectRun(TrainingThread* run) {
  TrainingBridge* b = run->bridge();
  connect(b, &TrainingBridge::runStarted, this, [this](const RunStartEvent& e) {
    series_.addRunStart(e);
    status_->setState(tr("Training — %1 on %2").arg(QString::fromStdString(e.strategy),
                          QString::fromStdString(e.devices.empty() ? "?" : e.devices.front()) +
                              (e.devices.size() > 1 ? tr(" +%1").arg(e.devices.size() - 1) : QString())),
                      "#1a5c1a");
    if (!e.runDir.empty() && QString::fromStdString(e.runDir) != runDir_) {
      runDir_ = QString::fromStdString(e.runDir);
      log_->follow(runPath(&RunFolder::trainingLog));
    }
  });
  connect(b, &TrainingBridge::stepReceived, this, [this](const StepEvent& e) { series_.addStep(e); });
  connect(b, &TrainingBridge::epochReceived, this, [this](const EpochEvent& e) { series_.addEpoch(e); });
  connect(b, &TrainingBridge::logLine, this, [this](int level, const QString& text) {
    if (level >= static_cast<int>(LogLevel::Warning)) status_->addWarning(text);
  });
  connect(b, &TrainingBridge::batchDelivered, this, &MonitorPage::scheduleReplot);
  connect(run, &TrainingThread::finished, this, [this](const RunEndEvent& e) {
    // The engine's stopped message speaks to the command line ("continue with --resume").
    const QString message = e.outcome == RunOutcome::Stopped && e.step > 0
                                ? tr("stopped at step %1, checkpoint saved: Resume continues from it").arg(e.step)
                                : QString::fromStdString(e.message);
    onRunEnded(static_cast<int>(e.outcome), message);
  });
}

void MonitorPage::startRun(const TrainConfig& config) {
  if (isTraining()) return;
  loader_->abandon();  // an opened run still loading is not this one
  if (!config.resume) {
    series_.clear();
    status_->clearWarnings();
  }
  runDir_ = QString::fromStdString(config.runDir);
  QDir().mkpath(runPath(&RunFolder::logs));  // so the log tail can follow from the first line
  log_->follow(runPath(&RunFolder::trainingLog));
  context_.setRunDir(runDir_);
  TrainingThread* run = control_->launch(config);
  connectRun(run);
  status_->setState(config.resume ? tr("Resuming…") : tr("Starting…"));
  run->start();
  updateButtons();
  scheduleReplot();
}

bool MonitorPage::loading() const { return loader_->loading(); }

// metrics.jsonl slice by slice: the curves fill in as the file loads (the window shows at once).
void MonitorPage::connectLoader() {
  connect(loader_, &MetricsLoader::recordsReady, this, [this](const std::vector<MetricsRecord>& records) {
    for (const MetricsRecord& r : records) {
      if (auto* st = std::get_if<StepEvent>(&r)) series_.addRecordedStep(*st);
      else if (auto* ep = std::get_if<EpochEvent>(&r)) series_.addEpoch(*ep);
    }
    scheduleReplot();
  });
  connect(loader_, &MetricsLoader::progressChanged, this, [this](qint64 done, qint64 total) {
    if (total > 0 && done < total)
      status_->setState(tr("Run %1 — reading metrics.jsonl… %2 %").arg(QFileInfo(runDir_).fileName()).arg(100 * done / total));
  });
  connect(loader_, &MetricsLoader::finished, this, [this](const QStringList& problems) {
    for (const QString& p : problems) status_->addWarning(p);
    try {  // the progress bars need the run's length, which metrics.jsonl does not repeat
      const TrainConfig c = context_.engine().loadRunConfig(runDir_.toStdString());
      series_.epochs = c.epochs;
      series_.stepsPerEpoch = c.stepsPerEpoch;
      series_.totalSteps = int64_t(c.epochs) * c.stepsPerEpoch;
    } catch (const std::exception& e) {
      status_->addWarning(QString::fromStdString(e.what()));
    }
    status_->setState(tr("Run %1 — %2 steps recorded").arg(QFileInfo(runDir_).fileName()).arg(series_.lossRaw.size()));
    updateButtons();
    refreshPlots();
    Q_EMIT runLoaded();
  });
  for (MonitorPlot* p : plots()) connect(p, &MonitorPlot::viewReset, this, &MonitorPage::refreshPlots);
}

bool MonitorPage::openRun(const QString& runDir) {
  if (isTraining()) return false;
  control_->release();
  series_.clear();
  status_->clearWarnings();
  runDir_ = QDir(runDir).absolutePath();
  removeComparedRun(runDir_);  // the open run is drawn as itself
  context_.setRunDir(runDir_);
  log_->follow(runPath(&RunFolder::trainingLog));
  QString error;
  const bool ok = loader_->start(runPath(&RunFolder::metrics), &error);
  status_->setState(ok ? tr("Run %1 — reading metrics.jsonl…").arg(QFileInfo(runDir_).fileName()) : error,
                    ok ? QString() : "#a00000");
  updateButtons();
  refreshPlots();
  return ok;
}

void MonitorPage::resumeRun() { control_->resume(); }
void MonitorPage::stopRun() { control_->stop(); }
void MonitorPage::stopAndWait() { control_->stopAndWait(); }

void MonitorPage::onRunEnded(int outcome, const QString& message) {
  const auto o = static_cast<RunOutcome>(outcome);
  const QString what = o == RunOutcome::Finished  ? tr("Finished")
                       : o == RunOutcome::Stopped ? tr("Stopped")
                                                  : tr("Failed");
  status_->setState(message.isEmpty() ? what : what + " — " + message,
                    o == RunOutcome::Failed ? "#a00000" : "#1a3c7a");
  if (o == RunOutcome::Failed && !message.isEmpty()) status_->addWarning(message);
  series_.lastStep.etaSec = 0;  // nothing is left to wait for once the run has ended
  log_->poll();
  updateButtons();
  refreshPlots();
  Q_EMIT runFinished(outcome, message);
}

void MonitorPage::updateButtons() {
  control_->updateButtons();
  compare_->setEnabled(true);  // reading another run's metrics does not disturb this one
}

void MonitorPage::scheduleReplot() {
  if (!replotTimer_.isActive()) replotTimer_.start();
}

// 5 % room above and below the data; a flat or single-valued series gets a range around it.
void MonitorPage::padValueRange(QCPAxis* axis) {
  const QCPRange r = axis->range();
  const double span = r.size();
  if (span <= 1e-12 * std::max(1.0, std::abs(r.center()))) {
    const double half = std::max(0.05, 0.1 * std::abs(r.center()));
    axis->setRange(r.center() - half, r.center() + half);
  } else {
    axis->setRange(r.lower - 0.05 * span, r.upper + 0.05 * span);
  }
}

void MonitorPage::refreshPlots() {
  const bool byEpoch = xAxis_ == XAxis::Epoch;
  const double spe = double(series_.stepsPerEpoch);
  lossPlot_->graph(0)->setData(keys(series_.lossRaw, byEpoch, spe), series_.lossRaw.y, true);
  lossPlot_->graph(1)->setData(keys(series_.lossSmoothed, byEpoch, spe), series_.lossSmoothed.y, true);
  valPlot_->graph(0)->setData(series_.trainLossPerEpoch.x, series_.trainLossPerEpoch.y, true);
  valPlot_->graph(1)->setData(series_.valLoss.x, series_.valLoss.y, true);
  valPlot_->graph(2)->setData(series_.valDice.x, series_.valDice.y, true);
  lrPlot_->graph(0)->setData(keys(series_.learningRate, byEpoch, spe), series_.learningRate.y, true);
  throughputPlot_->graph(0)->setData(keys(series_.throughput, byEpoch, spe), series_.throughput.y, true);
  refreshComparedRuns(byEpoch);
  // Beside other runs the open run's curves carry its name too.
  const QString own = compared_->empty() ? QString() : QFileInfo(runDir_).fileName() + " ";
  lossPlot_->graph(0)->setName(own + tr("raw"));
  lossPlot_->graph(1)->setName(own + tr("smoothed"));
  valPlot_->graph(0)->setName(own + tr("train loss"));
  valPlot_->graph(1)->setName(own + tr("val loss"));
  valPlot_->graph(2)->setName(own + tr("val dice"));
  for (MonitorPlot* p : {lossPlot_, lrPlot_, memoryPlot_, throughputPlot_, stepTimePlot_})
    p->xAxis->setLabel(byEpoch ? tr("epoch") : tr("step"));
  refreshStepTime(byEpoch);

  // Memory: allocated (solid) and reserved (dashed) per device, capacity dotted. A device whose
  // allocator reserves nothing of its own (CPU ranks) shows its peak dashed instead.
  auto reservesNothing = [](const DeviceMemorySeries& d) {
    return std::all_of(d.reservedGiB.y.begin(), d.reservedGiB.y.end(), [](double v) { return v == 0; });
  };
  const int wanted = static_cast<int>(series_.memory.size()) * 3;
  if (memoryPlot_->graphCount() != wanted) {
    memoryPlot_->clearGraphs();
    int i = 0;
    for (const auto& [name, d] : series_.memory) {
      const QString dev = QString::fromStdString(name);
      memoryPlot_->addLine(dev + tr(" allocated"), deviceColor(i), Qt::SolidLine, 1.8);
      memoryPlot_->addLine(dev + tr(" reserved"), deviceColor(i), Qt::DashLine, 1.2);
      memoryPlot_->addLine(dev + tr(" capacity"), deviceColor(i), Qt::DotLine, 1.2);
      ++i;
    }
  }
  int i = 0;
  double maxUsed = 0, maxCapacity = 0;
  for (const auto& [name, d] : series_.memory) {
    for (double v : d.allocatedGiB.y) maxUsed = std::max(maxUsed, v);
    for (double v : d.reservedGiB.y) maxUsed = std::max(maxUsed, v);
    maxCapacity = std::max(maxCapacity, d.capacityGiB);
    memoryPlot_->graph(3 * i + 2)->setName(QString::fromStdString(name) + tr(" capacity %1 GiB").arg(d.capacityGiB, 0, 'f', 1));
    const QVector<double> mx = keys(d.allocatedGiB, byEpoch, spe);
    memoryPlot_->graph(3 * i)->setData(mx, d.allocatedGiB.y, true);
    const bool showPeak = reservesNothing(d) && d.allocatedGiB.size() > 0 && d.peakGiB.y.back() > d.allocatedGiB.y.back();
    const Series& dashed = showPeak ? d.peakGiB : d.reservedGiB;
    memoryPlot_->graph(3 * i + 1)->setName(QString::fromStdString(name) + (showPeak ? tr(" peak") : tr(" reserved")));
    memoryPlot_->graph(3 * i + 1)->setData(keys(dashed, byEpoch, spe), dashed.y, true);
    for (double v : dashed.y) maxUsed = std::max(maxUsed, v);
    QVector<double> cx, cy;
    if (d.capacityGiB > 0 && d.allocatedGiB.size() > 0) {
      cx = {mx.front(), mx.back()};
      cy = {d.capacityGiB, d.capacityGiB};
    }
    memoryPlot_->graph(3 * i + 2)->setData(cx, cy, true);
    ++i;
  }

  // A plot the user zoomed or panned keeps its view as points arrive (double-click gives it back).
  for (MonitorPlot* p : plots()) {
    if (!p->followsData()) continue;
    p->rescaleAxes();
    padValueRange(p->yAxis);  // a point on the edge (or a single one) is drawn, not clipped
    if (p == memoryPlot_ || p == throughputPlot_ || p == stepTimePlot_) p->yAxis->setRangeLower(0);
  }
  // The validation plot spans the run's epochs 1…N: one point sits at its epoch, not in -1.5…3.5.
  double lastEpoch = std::max<double>(1.0, double(series_.epochs));
  for (const Series* s : {&series_.trainLossPerEpoch, &series_.valLoss, &series_.valDice})
    if (s->size() > 0) lastEpoch = std::max(lastEpoch, s->x.back());
  for (const auto& run : compared_->runs())
    for (const Series* s : {&run->series.valLoss, &run->series.valDice})
      if (s->size() > 0) lastEpoch = std::max(lastEpoch, s->x.back());
  if (valPlot_->followsData()) valPlot_->xAxis->setRange(0.5, lastEpoch + 0.5);
  // A capacity far above the use (a CPU's whole RAM) would flatten the curves: then the line
  // goes off scale and its value stays in the legend.
  if (!memoryPlot_->followsData()) {
  } else if (maxCapacity > 0 && maxUsed < 0.25 * maxCapacity && maxUsed > 0) {
    memoryPlot_->yAxis->setRange(0, maxUsed * 1.3);
  } else if (maxCapacity > 0) {
    memoryPlot_->yAxis->setRange(0, maxCapacity * 1.05);
  } else if (series_.memory.empty()) {
    memoryPlot_->yAxis->setRange(0, 1);  // no memory reported (yet): an axis, not a squashed sliver
  }
  for (MonitorPlot* p : plots()) p->replot(QCustomPlot::rpQueuedReplot);
  status_->showSeries(series_);
  preview_->setPreviews(series_.previews, runDir_);
  ++replots_;
}

void MonitorPage::refreshStepTime(bool byEpoch) {
  const double spe = double(series_.stepsPerEpoch);
  struct Line {
    QString name;
    const Series* series;
    QColor color;
    Qt::PenStyle style;
  };
  // Short names: four plots share the row, and the legend sits under each.
  std::vector<Line> lines{{tr("data wait"), &series_.dataWaitPercent, QColor(200, 80, 30), Qt::SolidLine}};
  if (series_.severalDevices) {
    lines.push_back({tr("comm"), &series_.commWaitPercent, QColor(25, 85, 170), Qt::SolidLine});
    lines.push_back({tr("spread"), &series_.spreadPercent, QColor(120, 120, 120), Qt::DashLine});
  }
  int device = 0;
  for (const auto& [name, d] : series_.memory) {
    if (d.busyPercent.size() > 0)
      lines.push_back({QString::fromStdString(name) + tr(" busy"), &d.busyPercent, deviceColor(device), Qt::DotLine});
    ++device;
  }
  if (stepTimePlot_->graphCount() != int(lines.size())) {
    stepTimePlot_->clearGraphs();
    for (const Line& l : lines) stepTimePlot_->addLine(l.name, l.color, l.style, 1.4);
  }
  for (int i = 0; i < int(lines.size()); ++i)
    stepTimePlot_->graph(i)->setData(keys(*lines[size_t(i)].series, byEpoch, spe), lines[size_t(i)].series->y, true);
}

void MonitorPage::refreshComparedRuns(bool byEpoch) {
  for (const auto& run : compared_->runs()) {
    const MetricsSeries& s = run->series;
    const ComparedGraphs& g = comparedGraphs_.at(run->dir);
    g.loss->setData(keys(s.lossSmoothed, byEpoch, double(s.stepsPerEpoch)), s.lossSmoothed.y, true);
    g.valDice->setData(s.valDice.x, s.valDice.y, true);
    g.valLoss->setData(s.valLoss.x, s.valLoss.y, true);
  }
}

void MonitorPage::setXAxis(XAxis axis) {
  xAxis_ = axis;
  const int index = axis == XAxis::Epoch ? 1 : 0;
  if (xAxisBox_->currentIndex() != index) xAxisBox_->setCurrentIndex(index);  // re-enters once, same axis
  refreshPlots();
}

QStringList MonitorPage::comparedRuns() const { return compared_->dirs(); }

bool MonitorPage::compareRun(const QString& dir) {
  const QString why = compared_->add(dir, runDir_);
  if (why.isEmpty()) return true;
  Q_EMIT context_.statusMessage(why);
  status_->addWarning(why);
  return false;
}

void MonitorPage::removeComparedRun(const QString& dir) { compared_->remove(dir); }

// A run just compared: its curves in its colour, named in the legends.
void MonitorPage::drawComparedRun(const QString& dir) {
  const ComparedRun& run = *compared_->runs().back();
  ComparedGraphs g;
  g.loss = lossPlot_->addLine(run.name, run.color, Qt::SolidLine, 1.8);
  g.valDice = valPlot_->addLine(run.name + tr(" val dice"), run.color, Qt::SolidLine, 1.5);
  g.valLoss = valPlot_->addLine(run.name + tr(" val loss"), run.color, Qt::DashLine, 1.5);
  for (QCPGraph* graph : {g.valDice, g.valLoss}) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, 5));
  comparedGraphs_[dir] = g;
  refreshPlots();
}

void MonitorPage::eraseComparedRun(const QString& dir) {
  auto it = comparedGraphs_.find(dir);
  if (it == comparedGraphs_.end()) return;
  lossPlot_->removeGraph(it->second.loss);
  valPlot_->removeGraph(it->second.valDice);
  valPlot_->removeGraph(it->second.valLoss);
  comparedGraphs_.erase(it);
  refreshPlots();
}

void MonitorPage::compareRunDialog() {
  // Not modal-blocking: the page keeps updating (a run may be training) while the user chooses.
  auto* dialog = new QFileDialog(this, tr("Compare with the run in"), QFileInfo(runDir_).path());
  dialog->setObjectName("compareRunDialog");
  dialog->setFileMode(QFileDialog::Directory);
  dialog->setOption(QFileDialog::ShowDirsOnly);
  dialog->setOption(QFileDialog::DontUseNativeDialog);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& dir) { compareRun(dir); });
  dialog->open();
}

QStringList MonitorPage::savePlots(const QString& dir) {
  QStringList written;
  QDir().mkpath(dir);
  const QStringList names = {"loss", "validation", "lr", "memory", "throughput", "step-time"};
  const QList<MonitorPlot*> all = plots();
  for (int i = 0; i < all.size(); ++i)
    for (const char* suffix : {".png", ".pdf"}) {
      const QString path = dir + "/" + names[i] + suffix;
      if (all[i]->saveTo(path)) written << path;
    }
  return written;
}

void MonitorPage::saveAllDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Save plots into"), runDir_);
  if (dir.isEmpty()) return;
  const QStringList files = savePlots(dir);
  Q_EMIT context_.statusMessage(tr("Saved %1 plot files in %2").arg(files.size()).arg(dir));
}

}  // namespace vwb::ui

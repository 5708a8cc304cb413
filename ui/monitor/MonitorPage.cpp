#include "ui/monitor/MonitorPage.h"

#include <algorithm>

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
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
#include "ui/monitor/MonitorPlots.h"
#include "ui/monitor/RunControl.h"
#include "ui/monitor/RunStatusPanel.h"
#include "ui/monitor/RunValidationControl.h"
#include "ui/monitor/ValidationPreviewView.h"

namespace vwb::ui {

namespace {
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
  plots_ = new MonitorPlots(this);
  connect(plots_, &MonitorPlots::viewReset, this, &MonitorPage::refreshPlots);
  connect(compared_, &ComparedRuns::added, this, [this] {
    plots_->addCompared(*compared_->runs().back());
    refreshPlots();
  });
  connect(compared_, &ComparedRuns::removed, this, [this](const QString& dir) {
    plots_->removeCompared(dir);
    refreshPlots();
  });
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

  validation_ = new RunValidationControl(context_);
  connect(validation_, &RunValidationControl::busyChanged, this, [this] { updateButtons(); });

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
  g->addWidget(plots_->loss(), 0, 0);
  g->addWidget(plots_->validation(), 0, 1);
  g->addWidget(preview_, 0, 2);
  // The second row holds four plots over the three columns.
  auto* second = new QHBoxLayout;
  second->setSpacing(4);
  for (MonitorPlot* p : {plots_->learningRate(), plots_->memory(), plots_->throughput(), plots_->stepTime()})
    second->addWidget(p, 1);
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
  layout->addWidget(validation_);
  layout->addWidget(grid, 1);

  replotTimer_.setSingleShot(true);
  replotTimer_.setInterval(kReplotIntervalMs);
  connect(&replotTimer_, &QTimer::timeout, this, &MonitorPage::refreshPlots);
  updateButtons();
}

// The run goes first (stops and joins its worker) while everything its events reach still exists.
MonitorPage::~MonitorPage() { control_->release(); }

QList<MonitorPlot*> MonitorPage::plots() const { return plots_->all(); }

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
  if (!config.run.resume) {
    series_.clear();
    status_->clearWarnings();
  }
  runDir_ = QString::fromStdString(config.run.dir);
  QDir().mkpath(runPath(&RunFolder::logs));  // so the log tail can follow from the first line
  log_->follow(runPath(&RunFolder::trainingLog));
  context_.setRunDir(runDir_);
  TrainingThread* run = control_->launch(config);
  connectRun(run);
  status_->setState(config.run.resume ? tr("Resuming…") : tr("Starting…"));
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
      series_.epochs = c.run.epochs;
      series_.stepsPerEpoch = c.run.stepsPerEpoch;
      series_.totalSteps = int64_t(c.run.epochs) * c.run.stepsPerEpoch;
    } catch (const std::exception& e) {
      status_->addWarning(QString::fromStdString(e.what()));
    }
    status_->setState(tr("Run %1 — %2 steps recorded").arg(QFileInfo(runDir_).fileName()).arg(series_.lossRaw.size()));
    updateButtons();
    refreshPlots();
    Q_EMIT runLoaded();
  });
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
  // The validation holds the run folder's lock: no resume while it runs.
  if (validation_->validating()) control_->resumeButton()->setEnabled(false);
  validation_->setRun(runDir_, !isTraining() && !loading());
  compare_->setEnabled(true);  // reading another run's metrics does not disturb this one
}

void MonitorPage::scheduleReplot() {
  if (!replotTimer_.isActive()) replotTimer_.start();
}

void MonitorPage::refreshPlots() {
  plots_->draw(series_, QFileInfo(runDir_).fileName(), *compared_, xAxis_ == XAxis::Epoch);
  status_->showSeries(series_);
  preview_->setPreviews(series_.previews, runDir_);
  ++replots_;
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

QStringList MonitorPage::savePlots(const QString& dir) { return plots_->save(dir); }

void MonitorPage::saveAllDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Save plots into"), runDir_);
  if (dir.isEmpty()) return;
  const QStringList files = savePlots(dir);
  Q_EMIT context_.statusMessage(tr("Saved %1 plot files in %2").arg(files.size()).arg(dir));
}

}  // namespace vwb::ui

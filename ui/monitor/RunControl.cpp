#include "ui/monitor/RunControl.h"

#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QPushButton>

#include "engine/run/RunFolder.h"
#include "ui/common/TrainingThread.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/monitor/MonitorPage.h"
#include "ui/monitor/RunStatusPanel.h"

namespace vwb::ui {

RunControl::RunControl(MonitorPage& page, WorkbenchContext& context) : QObject(&page), page_(page), context_(context) {
  stop_ = new QPushButton(QIcon::fromTheme("process-stop"), tr("Stop"));
  stop_->setToolTip(tr("Finish the current step, write a checkpoint and stop"));
  resume_ = new QPushButton(QIcon::fromTheme("media-playback-start"), tr("Resume"));
  resume_->setToolTip(tr("Continue this run from its last checkpoint"));
  open_ = new QPushButton(QIcon::fromTheme("document-open"), tr("Open run…"));
  newRun_ = new QPushButton(tr("New run…"));
  connect(stop_, &QPushButton::clicked, this, &RunControl::stop);
  connect(resume_, &QPushButton::clicked, this, &RunControl::resume);
  connect(open_, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(&page_, tr("Open a run directory"), page_.runDir());
    if (!dir.isEmpty()) page_.openRun(dir);
  });
  connect(newRun_, &QPushButton::clicked, this, [this] { Q_EMIT context_.pageRequested("wizard"); });
}

RunControl::~RunControl() { release(); }

void RunControl::release() { run_.reset(); }

bool RunControl::training() const { return run_ && run_->running(); }

TrainingThread* RunControl::launch(const TrainConfig& config) {
  run_ = std::make_unique<TrainingThread>(context_.enginePtr(), config);
  return run_.get();
}

void RunControl::resume() {
  if (training() || page_.runDir().isEmpty()) return;
  try {
    TrainConfig config = context_.engine().loadRunConfig(page_.runDir().toStdString());
    config.run.dir = page_.runDir().toStdString();
    config.run.resume = true;
    page_.startRun(config);
  } catch (const std::exception& e) {
    page_.statusPanel()->setState(tr("Cannot resume: %1").arg(QString::fromStdString(e.what())), "#a00000");
  }
}

void RunControl::stop() {
  if (!training()) return;
  run_->stop();
  page_.statusPanel()->setState(tr("Stopping — finishing the step and writing a checkpoint…"), "#8a5a00");
  updateButtons();
}

void RunControl::stopAndWait() {
  if (!training()) return;
  stop();
  QEventLoop loop;  // keeps the window painting while the engine finishes its step
  connect(run_.get(), &TrainingThread::finished, &loop, &QEventLoop::quit);
  if (training()) loop.exec();
}

void RunControl::updateButtons() {
  const bool busy = training();
  stop_->setEnabled(busy && !run_->stopRequested());
  // A finished run has nothing to resume; a run needs its settings and a checkpoint to go on.
  const MetricsSeries& s = page_.series();
  const bool finished = s.hasStep && s.totalSteps > 0 && s.lastStep.step >= s.totalSteps;
  const RunFolder folder(page_.runDir().toStdString());
  resume_->setEnabled(!busy && !page_.loading() && !page_.runDir().isEmpty() && !finished &&
                      QFileInfo::exists(QString::fromStdString(folder.config())) &&
                      QFileInfo::exists(QString::fromStdString(folder.lastCheckpoint())));
  open_->setEnabled(!busy);
  newRun_->setEnabled(!busy);
}

}  // namespace vwb::ui

#include "ui/inspect/PredictionTasks.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include "ui/common/BackgroundTask.h"

namespace vwb::inspect {

PredictionTasks::PredictionTasks(QObject* parent) : QObject(parent) {
  progress_ = new QProgressBar;
  progress_->setObjectName("progress");
  progress_->setVisible(false);
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName("cancel");
  cancel_->setEnabled(false);
  connect(cancel_, &QPushButton::clicked, this, &PredictionTasks::cancel);
  stage_ = new QLabel;
  stage_->setObjectName("stage");
  stage_->setWordWrap(true);
}

PredictionTasks::~PredictionTasks() { shutdown(); }

void PredictionTasks::shutdown() {
  if (task_) task_->cancel();
  task_.reset();
  ui::BackgroundTask::shutdownAll(this);
}

bool PredictionTasks::busy() const { return task_ && task_->running(); }

void PredictionTasks::cancel() {
  if (task_) task_->cancel();
}

void PredictionTasks::cancelAndWait() {
  const bool wasBusy = busy();
  if (wasBusy) {
    task_->cancel();
    task_->waitForEnd();
  }
  task_.reset();  // its end is not delivered: say here that the page is idle
  if (wasBusy) {
    cancel_->setEnabled(false);
    progress_->setVisible(false);
    Q_EMIT busyChanged(false);
  }
}

void PredictionTasks::setStage(const QString& text) { stage_->setText(text); }

void PredictionTasks::run(Kind kind, const QString& title, Work work, std::function<void()> done) {
  // The previous task has ended (run starts only when idle); it may be the one whose signal is
  // being handled right now, so it goes later.
  ui::BackgroundTask::retire(std::move(task_), this);
  task_ = std::make_unique<ui::BackgroundTask>(title, std::move(work));
  kind_ = kind;
  ui::BackgroundTask* task = task_.get();
  connect(task, &ui::BackgroundTask::progressChanged, this, [this](const QString& stage, qint64 d, qint64 t) {
    progress_->setRange(0, t > 0 ? int(t) : 0);
    progress_->setValue(int(d));
    stage_->setText(stage);
  });
  auto idle = [this] {
    cancel_->setEnabled(false);
    progress_->setVisible(false);
    Q_EMIT busyChanged(false);
  };
  connect(task, &ui::BackgroundTask::finished, this, [this, title, done, idle, kind] {
    done();
    stage_->setText(tr("%1: done").arg(title));
    idle();
    Q_EMIT finished(kind);
  });
  connect(task, &ui::BackgroundTask::failed, this, [this, title, idle, kind](const QString& message) {
    const bool cancelled = message == "cancelled";
    stage_->setText(!cancelled ? tr("%1 failed: %2").arg(title, message)
                    : kind == Kind::Predict ? tr("%1 cancelled: the run's predictions are as they were.").arg(title)
                                            : tr("%1 cancelled.").arg(title));
    idle();
    Q_EMIT failed(kind, message);
  });
  cancel_->setEnabled(true);
  progress_->setVisible(true);
  Q_EMIT busyChanged(true);
  task->start();
}

}  // namespace vwb::inspect

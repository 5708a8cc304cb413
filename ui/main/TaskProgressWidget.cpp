#include "ui/main/TaskProgressWidget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

#include "ui/common/BackgroundTask.h"
#include "ui/common/ElidedLabel.h"

namespace vwb::ui {

TaskProgressWidget::TaskProgressWidget(QWidget* parent) : QWidget(parent) {
  label_ = new ElidedLabel;
  bar_ = new QProgressBar;
  bar_->setMaximumWidth(220);
  bar_->setMaximumHeight(16);
  cancel_ = new QToolButton;
  cancel_->setText(tr("Cancel"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(label_);
  layout->addWidget(bar_);
  layout->addWidget(cancel_);
  connect(cancel_, &QToolButton::clicked, this, [this] {
    if (task_) task_->cancel();
    label_->setText(tr("Cancelling…"));
  });
  setVisible(false);
}

bool TaskProgressWidget::busy() const { return task_ && task_->running(); }

void TaskProgressWidget::track(BackgroundTask* task) {
  if (task_) disconnect(task_, nullptr, this, nullptr);
  task_ = task;
  label_->setText(task->title());
  bar_->setRange(0, 0);  // busy indicator until the first progress report
  setVisible(true);
  connect(task, &BackgroundTask::progressChanged, this, [this](const QString& stage, qint64 done, qint64 total) {
    label_->setText(task_->title() + (stage.isEmpty() ? QString() : ": " + stage));
    if (total > 0) {
      // QProgressBar is int-based: scale large totals down.
      const double scale = total > 1000000 ? 1000000.0 / total : 1.0;
      bar_->setRange(0, static_cast<int>(total * scale));
      bar_->setValue(static_cast<int>(done * scale));
    } else {
      bar_->setRange(0, 0);
    }
  });
  auto hide = [this] { setVisible(false); };
  connect(task, &BackgroundTask::finished, this, hide);
  connect(task, &BackgroundTask::failed, this, hide);
}

}  // namespace vwb::ui

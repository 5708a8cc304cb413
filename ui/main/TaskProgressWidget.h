#pragma once
// The status-bar block for long operations: what is running, a progress bar and Cancel.
// Shows one BackgroundTask at a time (the latest); hides itself when nothing runs.
#include <QPointer>
#include <QWidget>

class QProgressBar;
class QToolButton;

namespace vwb::ui {
class BackgroundTask;
class ElidedLabel;

class TaskProgressWidget : public QWidget {
  Q_OBJECT
 public:
  explicit TaskProgressWidget(QWidget* parent = nullptr);
  void track(BackgroundTask* task);
  bool busy() const;

 private:
  QPointer<BackgroundTask> task_;
  ElidedLabel* label_;  // a long title must not widen the window
  QProgressBar* bar_;
  QToolButton* cancel_;
};

}  // namespace vwb::ui

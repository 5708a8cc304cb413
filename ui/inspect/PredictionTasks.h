#pragma once
// The Predictions page's one task at a time (loading the saved probabilities, scoring, predicting,
// tuning, opening a volume) on a worker: one progress bar, stage line and Cancel for all of them.
// The page and its reactions start tasks here and react to their end through the signals, in
// the order they connected.
#include <functional>
#include <memory>

#include <QObject>
#include <QString>

#include "engine/core/Reporting.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace vwb::ui {
class BackgroundTask;
}

namespace vwb::inspect {

class PredictionTasks : public QObject {
  Q_OBJECT

 public:
  enum class Kind { Load, Score, Predict, Tune, Open };
  using Work = std::function<void(ProgressSink&, const CancelToken&)>;

  // Child object names: progress, cancel, stage. Widgets are parented by the layout they go in.
  explicit PredictionTasks(QObject* parent = nullptr);
  ~PredictionTasks() override;

  QProgressBar* progressBar() const { return progress_; }
  QPushButton* cancelButton() const { return cancel_; }
  QLabel* stageLabel() const { return stage_; }

  // Starts `work` on a worker (only when idle); `done` runs on the GUI thread when it returned,
  // before finished().
  void run(Kind kind, const QString& title, Work work, std::function<void()> done);
  bool busy() const;
  Kind kind() const { return kind_; }
  void cancel();
  void cancelAndWait();  // a reload: the running task ends before anything changes
  // Cancels and joins every worker (the current task and retired ones): for the page's
  // destructor, before anything the tasks use is destroyed.
  void shutdown();
  void setStage(const QString& text);

 Q_SIGNALS:
  void busyChanged(bool busy);
  void finished(vwb::inspect::PredictionTasks::Kind kind);
  // message: "cancelled" for a cancel; the stage line already says what happened.
  void failed(vwb::inspect::PredictionTasks::Kind kind, const QString& message);

 private:
  std::unique_ptr<ui::BackgroundTask> task_;
  Kind kind_ = Kind::Load;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QLabel* stage_ = nullptr;
};

}  // namespace vwb::inspect

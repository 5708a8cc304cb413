#pragma once
// Stop, Resume, Open run… and New run… as reactions (ParaView's pqReaction), and the training
// they control: one TrainingThread at a time, owned here. The page feeds its plots from the
// thread's events; this decides when a button may be pressed and what pressing it does.
#include <memory>

#include <QObject>

#include "engine/train/TrainConfig.h"

class QPushButton;

namespace vwb::ui {

class MonitorPage;
class TrainingThread;
class WorkbenchContext;

class RunControl : public QObject {
  Q_OBJECT

 public:
  RunControl(MonitorPage& page, WorkbenchContext& context);
  ~RunControl() override;

  QPushButton* stopButton() const { return stop_; }
  QPushButton* resumeButton() const { return resume_; }
  QPushButton* openButton() const { return open_; }
  QPushButton* newRunButton() const { return newRun_; }

  // A new training thread for `config` (not started: the page connects its events first). The
  // previous one, which has ended, goes.
  TrainingThread* launch(const TrainConfig& config);
  void resume();  // the page's run from its last checkpoint (MonitorPage::startRun with resume)
  void stop();    // the engine finishes the step and writes a checkpoint
  // Closing while training: stop, then wait (processing events) until the worker returned.
  void stopAndWait();
  // Stops and joins the run's worker: for the page's destructor, while everything its events
  // reach still exists; and before an opened run replaces the (ended) live one.
  void release();
  bool training() const;
  bool hasRun() const { return bool(run_); }  // a run started here (it may have ended)
  void updateButtons();

 private:
  MonitorPage& page_;
  WorkbenchContext& context_;
  std::unique_ptr<TrainingThread> run_;
  QPushButton* stop_ = nullptr;
  QPushButton* resume_ = nullptr;
  QPushButton* open_ = nullptr;
  QPushButton* newRun_ = nullptr;
};

}  // namespace vwb::ui

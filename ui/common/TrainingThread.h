#pragma once
// One training run on a worker thread: Engine::runTraining blocks there, its events reach the
// GUI through a TrainingBridge. stop() asks the engine to finish the step and checkpoint;
// finished() fires on the GUI thread once the worker has returned and every event was delivered.
#include <QObject>
#include <atomic>
#include <thread>

#include "engine/core/Reporting.h"
#include "engine/train/TrainConfig.h"
#include "ui/common/Engine.h"
#include "ui/common/TrainingBridge.h"

namespace vwb::ui {

class TrainingThread : public QObject {
  Q_OBJECT
 public:
  TrainingThread(EnginePtr engine, TrainConfig config, QObject* parent = nullptr);
  ~TrainingThread() override;  // stops and joins: never leaves a thread writing into a dead sink

  TrainingBridge* bridge() { return &bridge_; }
  const TrainConfig& config() const { return config_; }

  void start();
  void stop();  // non-blocking; the run ends with RunOutcome::Stopped
  bool running() const { return running_; }
  bool stopRequested() const { return cancel_.cancelled(); }
  // Blocks the calling (GUI) thread until the worker returned, then delivers everything.
  // Only for shutdown paths (closing the window) and tests.
  void waitForEnd();

 Q_SIGNALS:
  void finished(const vwb::RunEndEvent& end);

 private:
  void onWorkerDone(RunEndEvent end);

  EnginePtr engine_;
  TrainConfig config_;
  TrainingBridge bridge_;
  CancelToken cancel_;
  std::thread worker_;
  std::atomic<bool> running_{false};
  bool endReported_ = false;
};

}  // namespace vwb::ui

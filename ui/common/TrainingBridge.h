#pragma once
// Bridges the engine's TrainingSink (called from engine threads) into Qt signals on the GUI
// thread. Engine threads only append to a locked buffer and post ONE queued drain per batch
// (PlotJuggler's pattern); the GUI thread drains and emits. No engine thread touches a QObject
// other than posting that drain.
#include <QObject>
#include <QString>
#include <mutex>
#include <variant>
#include <vector>

#include "engine/train/TrainingEvents.h"

namespace vwb::ui {

struct LogEvent {
  LogLevel level = LogLevel::Info;
  std::string message;
};
struct CheckpointEvent {
  std::string path;
};

class TrainingBridge : public QObject, public TrainingSink {
  Q_OBJECT
 public:
  explicit TrainingBridge(QObject* parent = nullptr);

  // TrainingSink, any thread.
  void log(LogLevel level, const std::string& message) override;
  void onRunStart(const RunStartEvent& e) override;
  void onStep(const StepEvent& e) override;
  void onEpoch(const EpochEvent& e) override;
  void onCheckpoint(const std::string& path) override;
  void onRunEnd(const RunEndEvent& e) override;

  // GUI thread: emits everything buffered so far, in order. Called by the queued notification;
  // callable directly (e.g. before reporting a run's end) to flush.
  void drain();

  int drainCount() const { return drains_; }  // how many batches were delivered (tests)

 Q_SIGNALS:
  void runStarted(const vwb::RunStartEvent& e);
  void stepReceived(const vwb::StepEvent& e);
  void epochReceived(const vwb::EpochEvent& e);
  void checkpointWritten(const QString& path);
  void runEnded(const vwb::RunEndEvent& e);
  void logLine(int level, const QString& message);
  void batchDelivered();  // after each drain: listeners refresh (coalesced) views here

 private:
  using Item = std::variant<RunStartEvent, StepEvent, EpochEvent, CheckpointEvent, RunEndEvent,
                            LogEvent>;
  void push(Item item);

  std::mutex mutex_;
  std::vector<Item> pending_;
  bool drainPosted_ = false;
  int drains_ = 0;
};

}  // namespace vwb::ui

#pragma once
// How `vwb train` shows a run: a progress bar on a terminal, plain lines otherwise; Ctrl-C asks
// the engine to stop after writing a checkpoint (a second Ctrl-C kills the process).
#include <chrono>
#include <mutex>

#include "engine/core/Reporting.h"
#include "engine/train/TrainingEvents.h"

namespace vwb::cli {

class TrainConsole : public TrainingSink {
 public:
  TrainConsole();
  void log(LogLevel level, const std::string& message) override;
  void onRunStart(const RunStartEvent& e) override;
  void onStep(const StepEvent& e) override;
  void onRunEnd(const RunEndEvent& e) override;

 private:
  std::mutex mutex_;
  ConsoleSink console_;
  bool tty_;
  bool barShown_ = false;
  int64_t lineEvery_ = 1;
};

// Routes SIGINT and SIGTERM to `token` while alive.
class InterruptToCancel {
 public:
  explicit InterruptToCancel(CancelToken& token);
  ~InterruptToCancel();
  // The exit status of a run stopped by a signal, by convention 128 + its number: 130 after
  // Ctrl-C (SIGINT), 143 after SIGTERM.
  static int exitCode();
};

}  // namespace vwb::cli

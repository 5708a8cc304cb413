#pragma once
// How the engine talks to whoever runs it (CLI, GUI, tests): small sink interfaces, never widgets.
// Sinks may be called from engine worker threads; implementations must be thread-safe and cheap.
#include <atomic>
#include <cstdint>
#include <string>

namespace vwb {

enum class LogLevel { Debug, Info, Warning, Error };
const char* logLevelName(LogLevel l);

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void log(LogLevel level, const std::string& message) = 0;
};

// Progress of one long operation ("reading volumes", "predicting 12"). total may be 0 (unknown).
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void progress(const std::string& stage, int64_t done, int64_t total) = 0;
};

// Shared cancellation flag: the caller sets it, the engine polls it between units of work.
class CancelToken {
 public:
  void cancel() { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_.load(std::memory_order_relaxed); }
  void reset() { flag_.store(false, std::memory_order_relaxed); }
  void throwIfCancelled() const;  // throws vwb::Cancelled

 private:
  std::atomic<bool> flag_{false};
};

// Sinks that drop everything, for callers that do not care.
class NullLogSink : public LogSink {
 public:
  void log(LogLevel, const std::string&) override {}
};
class NullProgressSink : public ProgressSink {
 public:
  void progress(const std::string&, int64_t, int64_t) override {}
};

// The console implementation used by vwb: log lines to stderr ("[warn] ..."), progress as a
// bar when stderr is a terminal and as occasional plain lines otherwise.
class ConsoleSink : public LogSink, public ProgressSink {
 public:
  explicit ConsoleSink(bool verbose = false);
  void log(LogLevel level, const std::string& message) override;
  void progress(const std::string& stage, int64_t done, int64_t total) override;

 private:
  bool verbose_;
  bool tty_;
  std::string lastStage_;
  int lastPercent_ = -1;
};

}  // namespace vwb

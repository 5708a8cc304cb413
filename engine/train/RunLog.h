#pragma once
// The run directory's human and machine logs: RUN/logs/training.log (timestamped lines) and
// RUN/metrics.jsonl (one JSON object per line, flushed as written). Log lines are also passed to
// the caller's sink. Thread-safe.
#include <fstream>
#include <mutex>
#include <string>

#include "engine/core/Reporting.h"

namespace vwb {

class RunLog : public LogSink {
 public:
  RunLog(const std::string& runDir, LogSink* forward);
  void log(LogLevel level, const std::string& message) override;
  void metric(const std::string& jsonLine);

 private:
  std::mutex mutex_;
  std::ofstream log_, metrics_;
  LogSink* forward_;
};

}  // namespace vwb

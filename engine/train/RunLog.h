#pragma once
// The run directory's human and machine logs: RUN/logs/training.log (timestamped lines) and
// RUN/metrics.jsonl (one JSON object per line, flushed as written). Log lines are also passed to
// the caller's sink. Thread-safe.
// Node R > 0 of a multi-node run writes only RUN/nodes/node-R/training.log: the metrics are
// node 0's (reduced over every rank), and a folder shared by all nodes is never written twice.
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>

#include "engine/core/Reporting.h"

namespace vwb {

class RunLog : public LogSink {
 public:
  RunLog(const std::string& runDir, LogSink* forward, int nodeRank = 0);
  void log(LogLevel level, const std::string& message) override;
  // Into training.log only (e.g. the error that ends a run, which the caller reports itself).
  void record(LogLevel level, const std::string& message);
  // A line that cannot be written (disk full, file-size limit) is not lost silently: the first
  // loss is reported as a warning, and the count when writing works again.
  void metric(const std::string& jsonLine);
  // After a resume from the checkpoint of `step`: drops the metric lines of later steps (they are
  // about to be redone), rewriting metrics.jsonl atomically. Returns how many were dropped.
  int dropMetricsAfter(int64_t step);

 private:
  std::mutex mutex_;
  std::ofstream log_, metrics_;
  std::string metricsPath_;
  LogSink* forward_;
  int64_t lostMetrics_ = 0;  // lines not written since the last successful one
};

}  // namespace vwb

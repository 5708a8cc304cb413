#include "engine/train/RunLog.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/run/RunFolder.h"
#include "engine/train/MetricsJsonl.h"

namespace vwb {

RunLog::RunLog(const std::string& runDir, LogSink* forward, int nodeRank) : forward_(forward) {
  namespace fs = std::filesystem;
  const RunFolder run(runDir, nodeRank);
  fs::create_directories(run.logs());
  const std::string logPath = run.trainingLog();
  log_.open(logPath, std::ios::app);
  if (!log_) throw fileError(logPath, "cannot open for writing");
  if (nodeRank != 0) return;
  metricsPath_ = run.metrics();
  metrics_.open(metricsPath_, std::ios::app);
  if (!metrics_) throw fileError(metricsPath_, "cannot open for writing");
  // A new file starts with its format line (MetricsJsonl.h); a resumed run's file keeps its own.
  std::error_code ec;
  if (fs::is_regular_file(metricsPath_, ec) && fs::file_size(metricsPath_, ec) == 0 && !ec) {
    metrics_ << metricsFormatLine() << '\n';
    metrics_.flush();
  }
}

void RunLog::record(LogLevel level, const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::gmtime(&now));
  log_ << stamp << " [" << logLevelName(level) << "] " << message << '\n';
  log_.flush();
  log_.clear();  // a full disk must not silence every later line
}

void RunLog::log(LogLevel level, const std::string& message) {
  record(level, message);
  if (forward_) forward_->log(level, message);
}

void RunLog::metric(const std::string& jsonLine) {
  std::string warning;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!metricsPath_.empty() && !metrics_.is_open()) {  // after a failed write
      metrics_.open(metricsPath_, std::ios::app);
      // The failed write may have left part of a line: end it, so that the next line stands alone
      // (readers skip the broken one).
      std::error_code ec;
      if (metrics_ && std::filesystem::file_size(metricsPath_, ec) > 0 && !ec) {
        std::ifstream tail(metricsPath_, std::ios::binary);
        tail.seekg(-1, std::ios::end);
        if (tail.get() != '\n') metrics_ << '\n';
      }
    }
    if (!metrics_.is_open()) {
      if (metricsPath_.empty()) return;  // not node 0
    } else {
      metrics_ << jsonLine << '\n';
      metrics_.flush();
    }
    if (!metrics_ || !metrics_.is_open()) {
      const int err = errno;
      metrics_.close();  // drops whatever is left in the stream's buffer; reopened next time
      metrics_.clear();
      if (lostMetrics_++ == 0)
        warning = metricsPath_ + ": a metric line could not be written (" + std::strerror(err) +
                  "); lines are lost until writing works again";
    } else if (lostMetrics_ > 0) {
      warning = metricsPath_ + ": " + std::to_string(lostMetrics_) +
                " metric line(s) were lost while it could not be written (disk full?)";
      lostMetrics_ = 0;
    }
  }
  if (!warning.empty()) log(LogLevel::Warning, warning);
}

int RunLog::dropMetricsAfter(int64_t step) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!metrics_.is_open()) return 0;
  metrics_.close();
  std::ifstream in(metricsPath_);
  std::string line, kept;
  int dropped = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    int64_t lineStep = -1;
    try {
      lineStep = nlohmann::json::parse(line).value("step", int64_t(-1));
    } catch (const nlohmann::json::exception&) {
      // A line cut short by a kill: not a record; drop it with the redone steps.
      ++dropped;
      continue;
    }
    if (lineStep > step) {
      ++dropped;
      continue;
    }
    kept += line + '\n';
  }
  in.close();
  if (dropped > 0) writeFileAtomically(metricsPath_, kept);
  metrics_.open(metricsPath_, std::ios::app);
  if (!metrics_) throw fileError(metricsPath_, "cannot open for writing");
  return dropped;
}

}  // namespace vwb

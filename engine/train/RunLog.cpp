#include "engine/train/RunLog.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "engine/core/Error.h"

namespace vwb {

RunLog::RunLog(const std::string& runDir, LogSink* forward, int nodeRank) : forward_(forward) {
  namespace fs = std::filesystem;
  fs::path logDir = nodeRank == 0 ? fs::path(runDir) / "logs"
                                  : fs::path(runDir) / "nodes" / ("node-" + std::to_string(nodeRank));
  fs::create_directories(logDir);
  std::string logPath = (logDir / "training.log").string();
  log_.open(logPath, std::ios::app);
  if (!log_) throw fileError(logPath, "cannot open for writing");
  if (nodeRank != 0) return;
  std::string metricsPath = (fs::path(runDir) / "metrics.jsonl").string();
  metrics_.open(metricsPath, std::ios::app);
  if (!metrics_) throw fileError(metricsPath, "cannot open for writing");
}

void RunLog::log(LogLevel level, const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::gmtime(&now));
    log_ << stamp << " [" << logLevelName(level) << "] " << message << '\n';
    log_.flush();
  }
  if (forward_) forward_->log(level, message);
}

void RunLog::metric(const std::string& jsonLine) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!metrics_.is_open()) return;  // not node 0
  metrics_ << jsonLine << '\n';
  metrics_.flush();
}

}  // namespace vwb

#include "engine/train/RunLog.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/train/AtomicFile.h"

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
  metricsPath_ = (fs::path(runDir) / "metrics.jsonl").string();
  metrics_.open(metricsPath_, std::ios::app);
  if (!metrics_) throw fileError(metricsPath_, "cannot open for writing");
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

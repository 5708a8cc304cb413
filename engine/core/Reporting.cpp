#include "engine/core/Reporting.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "engine/core/Error.h"

namespace vwb {

const char* logLevelName(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warn";
    case LogLevel::Error: return "error";
  }
  return "?";
}

void CancelToken::throwIfCancelled() const {
  if (cancelled()) throw Cancelled();
}

namespace {
std::mutex consoleMutex;
}

ConsoleSink::ConsoleSink(bool verbose) : verbose_(verbose), tty_(isatty(STDERR_FILENO) != 0) {}

void ConsoleSink::log(LogLevel level, const std::string& message) {
  if (level == LogLevel::Debug && !verbose_) return;
  std::lock_guard<std::mutex> lock(consoleMutex);
  if (tty_ && lastPercent_ >= 0) std::fputs("\n", stderr);
  lastPercent_ = -1;
  if (level == LogLevel::Info) std::fprintf(stderr, "%s\n", message.c_str());
  else std::fprintf(stderr, "[%s] %s\n", logLevelName(level), message.c_str());
}

void ConsoleSink::progress(const std::string& stage, int64_t done, int64_t total) {
  std::lock_guard<std::mutex> lock(consoleMutex);
  int percent = total > 0 ? static_cast<int>(100 * done / total) : -1;
  bool finished = total > 0 && done >= total;
  if (tty_) {
    if (stage == lastStage_ && percent == lastPercent_ && !finished) return;
    int width = 30, filled = percent < 0 ? 0 : percent * width / 100;
    std::fprintf(stderr, "\r%-28.28s [%.*s%*s] %3d%% (%lld/%lld)", stage.c_str(), filled,
                 "##############################", width - filled, "", percent < 0 ? 0 : percent,
                 static_cast<long long>(done), static_cast<long long>(total));
    if (finished) std::fputs("\n", stderr);
    std::fflush(stderr);
    lastPercent_ = finished ? -1 : percent;
  } else {
    // Plain lines: one per 10% step, and the last one.
    int decile = percent < 0 ? -1 : percent / 10;
    if (stage == lastStage_ && decile == lastPercent_ && !finished) return;
    std::fprintf(stderr, "%s: %lld/%lld\n", stage.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total));
    lastPercent_ = decile;
  }
  lastStage_ = stage;
}

}  // namespace vwb

#pragma once
// A flag shared by the ranks of one process: the first rank that fails raises it with its
// message; the others see it at their next collective (or while waiting in one) and stop.
#include <atomic>
#include <mutex>
#include <string>

#include "engine/core/Error.h"

namespace vwb::dist {

// Thrown when a collective fails because of another rank (it is gone, stuck or aborted): a
// consequence, not the root cause, so runRankThreads prefers other errors when reporting.
class PeerFailure : public Error {
 public:
  using Error::Error;
};

class AbortSignal {
 public:
  // The first message wins (it names the root cause); later calls are ignored.
  void raise(const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (raised_.load()) return;
    message_ = message;
    raised_.store(true);
  }
  bool raised() const { return raised_.load(); }
  std::string message() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return message_;
  }

 private:
  mutable std::mutex mutex_;
  std::atomic<bool> raised_{false};
  std::string message_;
};

}  // namespace vwb::dist

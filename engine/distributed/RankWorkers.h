#pragma once
// Persistent worker threads, one per local rank or device: run(fn) executes fn(rank) on every
// worker at once and returns when all are done. Persistent because each rank owns thread-bound
// state (its replica, its intra-op thread count, autocast state). The first failure raises the
// abort signal so the other ranks leave their collectives; run() then rethrows the root cause
// (an error that is not a PeerFailure) and the pool refuses further work.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/distributed/AbortSignal.h"

namespace vwb::dist {

class RankWorkers {
 public:
  // onFailure(rank) runs on the failing worker right after its error, e.g. to drop its process
  // group so peers blocked on it fail fast instead of waiting for the timeout.
  RankWorkers(int count, std::shared_ptr<AbortSignal> abort, int globalRankOffset = 0,
              std::function<void(int)> onFailure = {});
  ~RankWorkers();
  RankWorkers(const RankWorkers&) = delete;
  RankWorkers& operator=(const RankWorkers&) = delete;

  int size() const { return int(threads_.size()); }
  void run(const std::function<void(int rank)>& fn);

 private:
  void loop(int rank);

  std::shared_ptr<AbortSignal> abort_;
  int offset_;
  std::function<void(int)> onFailure_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  uint64_t generation_ = 0;
  int running_ = 0;
  bool stop_ = false;
  std::string rootCause_, firstError_;
};

}  // namespace vwb::dist

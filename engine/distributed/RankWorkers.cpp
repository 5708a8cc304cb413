#include "engine/distributed/RankWorkers.h"

#include "engine/core/Error.h"

namespace vwb::dist {

RankWorkers::RankWorkers(int count, std::shared_ptr<AbortSignal> abort, int globalRankOffset,
                         std::function<void(int)> onFailure)
    : abort_(std::move(abort)), offset_(globalRankOffset), onFailure_(std::move(onFailure)) {
  for (int r = 0; r < count; ++r) threads_.emplace_back([this, r] { loop(r); });
}

RankWorkers::~RankWorkers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void RankWorkers::run(const std::function<void(int)>& fn) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (abort_->raised())
    throw Error("the ranks were stopped earlier: " +
                (rootCause_.empty() ? abort_->message() : rootCause_));
  job_ = &fn;
  running_ = size();
  ++generation_;
  wake_.notify_all();
  done_.wait(lock, [&] { return running_ == 0; });
  job_ = nullptr;
  if (abort_->raised()) throw Error(rootCause_.empty() ? abort_->message() : rootCause_);
}

void RankWorkers::loop(int rank) {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(int)>* job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
    }
    auto failed = [&](const std::string& message, bool reaction) {
      abort_->raise(message);
      if (onFailure_) onFailure_(rank);
      std::lock_guard<std::mutex> lock(mutex_);
      if (!reaction && rootCause_.empty()) rootCause_ = message;
    };
    try {
      (*job)(rank);
    } catch (const PeerFailure& e) {
      failed(e.what(), true);
    } catch (const std::exception& e) {
      failed("rank " + std::to_string(offset_ + rank) + ": " + e.what(), false);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --running_;
    }
    done_.notify_all();
  }
}

}  // namespace vwb::dist

#include "engine/train/BatchPipeline.h"

#include <chrono>

#include "engine/train/SplitMix.h"

namespace vwb {

BatchPipeline::BatchPipeline(const PatchSampler& sampler, const BatchPipelineOptions& options)
    : sampler_(sampler),
      options_(options),
      nextToMake_(options.firstStep),
      nextToHand_(options.firstStep) {
  if (options_.prefetch < 1) options_.prefetch = 1;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
}

BatchPipeline::~BatchPipeline() { stop(); }

void BatchPipeline::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

std::shared_ptr<Batch> BatchPipeline::make(const PatchSampler& sampler, uint64_t seed, int64_t step,
                                           int64_t batchSize) {
  auto b = std::make_shared<Batch>();
  const int64_t voxels = sampler.patchVoxels();
  b->step = step;
  b->size = batchSize;
  b->patch = sampler.patch();
  b->image.resize(static_cast<size_t>(batchSize * voxels));
  b->label.resize(static_cast<size_t>(batchSize * voxels));
  for (int64_t j = 0; j < batchSize; ++j)
    sampler.sample(mixKeys(seed, static_cast<uint64_t>(step), static_cast<uint64_t>(j)),
                   b->image.data() + j * voxels, b->label.data() + j * voxels);
  return b;
}

void BatchPipeline::work() {
  for (;;) {
    int64_t step;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Take the next step only while the queue has room: the oldest outstanding step is always
      // allowed, so the consumer can never wait for a batch nobody may make.
      cv_.wait(lock, [&] {
        return stopping_ || error_ ||
               (nextToMake_ < options_.endStep && nextToMake_ < nextToHand_ + options_.prefetch);
      });
      if (stopping_ || error_) return;
      step = nextToMake_++;
    }
    try {
      auto batch = make(sampler_, options_.seed, step, options_.batchSize);
      std::lock_guard<std::mutex> lock(mutex_);
      ready_[step] = std::move(batch);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    cv_.notify_all();
  }
}

std::shared_ptr<Batch> BatchPipeline::next() {
  if (nextToHand_ >= options_.endStep) return nullptr;
  if (options_.workers == 0) {
    if (stopping_) return nullptr;
    return make(sampler_, options_.seed, nextToHand_++, options_.batchSize);
  }
  auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return error_ || stopping_ || ready_.count(nextToHand_) > 0; });
  waitSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (error_) std::rethrow_exception(error_);
  if (stopping_) return nullptr;
  auto it = ready_.find(nextToHand_);
  auto batch = std::move(it->second);
  ready_.erase(it);
  ++nextToHand_;
  lock.unlock();
  cv_.notify_all();
  return batch;
}

}  // namespace vwb

#pragma once
// Worker threads that fill a bounded queue with the global batches of consecutive steps
// (torch-free). Sample j of step s comes from key mixKeys(seed, s, j): the batches are the same
// for any number of workers, and a resumed run continues with exactly the batches it would have
// seen. Batches are handed out in step order.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/train/PatchSampler.h"

namespace vwb {

struct Batch {
  int64_t step = 0;
  int64_t size = 0, patch = 0;
  std::vector<float> image;    // size * patch^3, sample-major, z-y-x
  std::vector<uint8_t> label;  // same layout
};

struct BatchPipelineOptions {
  int64_t batchSize = 2;   // samples per step (the global batch)
  int workers = 2;         // 0: batches are made on the caller's thread
  int prefetch = 4;        // at most this many finished batches wait
  uint64_t seed = 1;
  int64_t firstStep = 0, endStep = 0;  // steps [firstStep, endStep)
};

class BatchPipeline {
 public:
  BatchPipeline(const PatchSampler& sampler, const BatchPipelineOptions& options);
  ~BatchPipeline();  // stops and joins the workers
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;

  // The next step's batch; nullptr after endStep. Rethrows a worker's exception.
  std::shared_ptr<Batch> next();
  // Seconds next() spent blocked so far.
  double waitSeconds() const { return waitSeconds_; }
  void stop();

  // Builds one step's batch (what a worker does).
  static std::shared_ptr<Batch> make(const PatchSampler& sampler, uint64_t seed, int64_t step,
                                     int64_t batchSize);

 private:
  void work();

  const PatchSampler& sampler_;
  BatchPipelineOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<int64_t, std::shared_ptr<Batch>> ready_;
  int64_t nextToMake_, nextToHand_;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> workers_;
  double waitSeconds_ = 0;
};

}  // namespace vwb

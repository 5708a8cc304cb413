#pragma once
// (torch) DDP's gradient synchronisation without a C++ DistributedDataParallel.
// Gradients are packed into ~25 MB flat buckets (BucketPlan); a gradient hook on every parameter
// copies its gradient into its bucket during backward, and a full bucket is all-reduced at once,
// in bucket order on every rank, while backward continues. finish() launches what is left,
// WAITS for every bucket, then averages (never before the wait) and writes the parameters' grads.
#include <mutex>
#include <vector>

#include "engine/distributed/BucketPlan.h"
#include "engine/distributed/detail/Communicator.h"

namespace vwb::dist {

struct CommStats {
  int buckets = 0;
  double allreduceSec = 0;   // launch-to-done time summed over buckets
  double overlappedSec = 0;  // part of it before backward ended (hidden behind compute)
  double exposedSec = 0;     // time finish() spent waiting (what the step really paid)
  double overlapFraction() const { return allreduceSec > 0 ? overlappedSec / allreduceSec : 0; }
};

class GradientBucketer {
 public:
  GradientBucketer(Communicator& comm, std::vector<at::Tensor> parameters,
                   int64_t bucketBytes = kDefaultBucketBytes, bool overlap = true);
  ~GradientBucketer();
  GradientBucketer(const GradientBucketer&) = delete;
  GradientBucketer& operator=(const GradientBucketer&) = delete;

  // Call before the backward pass whose gradients complete the step (with accumulation: the
  // last micro-batch). Earlier micro-batches just accumulate locally.
  void prepare();
  void finish();
  const CommStats& lastStats() const { return stats_; }
  const std::vector<BucketLayout>& layout() const { return layout_; }

 private:
  struct Bucket {
    at::Tensor flat;
    int missing = 0;
    bool launched = false;
    PendingOp op;
  };
  void onGradient(int parameter, const at::Tensor& grad);
  void launchReady();  // in bucket order; caller holds mutex_
  void fillFromGrad(int bucket, const BucketSlot& slot);

  Communicator& comm_;
  std::vector<at::Tensor> params_;
  std::vector<BucketLayout> layout_;
  std::vector<Bucket> buckets_;
  std::vector<std::pair<int, int>> where_;  // parameter -> (bucket, slot)
  std::vector<bool> arrived_;
  std::vector<unsigned> hooks_;
  std::mutex mutex_;
  bool armed_ = false, overlap_;
  int nextLaunch_ = 0;
  CommStats stats_;
};

}  // namespace vwb::dist

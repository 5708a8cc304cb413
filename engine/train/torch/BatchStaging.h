#pragma once
// Host-to-device copies of training batches that overlap compute (torch). The loop
// hands a strategy the next step's batch before it runs the current one (TrainStrategy::
// prefetch); on a CUDA device the strategy stages its share here: copied into pinned host memory
// (LibTorch's caching host allocator), then to the device with a non-blocking copy on a side
// stream, while the current step's kernels run on the compute stream. take() makes the compute
// stream wait for that copy (an event, not a host synchronisation). On the CPU, or for a batch
// that was not staged (the first step, a step after a resume), take() copies as before.
#include <torch/torch.h>

#include <memory>

#include "engine/train/torch/TrainStrategy.h"

namespace vwb {

class BatchStaging {
 public:
  explicit BatchStaging(torch::Device device);
  ~BatchStaging();
  BatchStaging(const BatchStaging&) = delete;
  BatchStaging& operator=(const BatchStaging&) = delete;

  // Starts copying samples [first, first + n) of `batch` (image, label, skeleton) to the device.
  // CUDA only; a no-op elsewhere.
  void stage(const GlobalBatch& batch, int64_t first, int64_t n);

  struct DeviceShard {
    torch::Tensor image, label, skeleton;  // on the device; skeleton undefined when the batch has none
  };
  // Samples [first, first + n) of `batch` on the device: the staged copy when it is this step's
  // and range, else a copy now.
  DeviceShard take(const GlobalBatch& batch, int64_t first, int64_t n);

  bool enabled() const { return device_.is_cuda(); }

 private:
  struct Pending;
  torch::Device device_;
  std::unique_ptr<Pending> pending_;
};

}  // namespace vwb

#include "engine/train/torch/BatchStaging.h"

#ifdef VWB_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace vwb {

struct BatchStaging::Pending {
  int64_t step = -1, first = 0, n = 0;
  DeviceShard shard;
#ifdef VWB_WITH_CUDA
  at::cuda::CUDAEvent copied;
#endif
};

BatchStaging::BatchStaging(torch::Device device) : device_(device) {}
BatchStaging::~BatchStaging() = default;

namespace {
torch::Tensor rows(const torch::Tensor& t, int64_t first, int64_t n) {
  return t.defined() ? t.narrow(0, first, n) : t;
}
}  // namespace

void BatchStaging::stage(const GlobalBatch& batch, int64_t first, int64_t n) {
#ifdef VWB_WITH_CUDA
  if (!device_.is_cuda()) return;
  c10::cuda::CUDAGuard guard(device_);
  const auto compute = c10::cuda::getCurrentCUDAStream(device_.index());
  const auto side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device_.index());
  auto p = std::make_unique<Pending>();
  p->step = batch.step;
  p->first = first;
  p->n = n;
  auto toDevice = [&](const torch::Tensor& host) -> torch::Tensor {
    if (!host.defined()) return host;
    // Pinned staging buffer: the copy engine reads it while the CPU goes on (pageable memory
    // would make the "asynchronous" copy synchronous).
    auto pinned = torch::empty(host.sizes(), host.options().pinned_memory(true));
    pinned.copy_(host);
    torch::Tensor out;
    {
      c10::cuda::CUDAStreamGuard onSide(side);
      out = pinned.to(device_, /*non_blocking=*/true);
    }
    // Allocated on the side stream, used and freed on the compute stream: tell the allocator,
    // so the block is not handed out again while the compute stream may still read it.
    c10::cuda::CUDACachingAllocator::recordStream(out.storage().data_ptr(), compute);
    return out;
  };
  p->shard.image = toDevice(rows(batch.image, first, n));
  p->shard.label = toDevice(rows(batch.label, first, n));
  p->shard.skeleton = toDevice(rows(batch.skeleton, first, n));
  p->copied.record(side);
  pending_ = std::move(p);
#else
  (void)batch;
  (void)first;
  (void)n;
#endif
}

BatchStaging::DeviceShard BatchStaging::take(const GlobalBatch& batch, int64_t first, int64_t n) {
#ifdef VWB_WITH_CUDA
  if (pending_ && pending_->step == batch.step && pending_->first == first && pending_->n == n) {
    c10::cuda::CUDAGuard guard(device_);
    pending_->copied.block(c10::cuda::getCurrentCUDAStream(device_.index()));  // the GPU waits, not the host
    DeviceShard shard = std::move(pending_->shard);
    pending_.reset();
    return shard;
  }
  pending_.reset();
#endif
  DeviceShard shard;
  shard.image = rows(batch.image, first, n).to(device_);
  shard.label = rows(batch.label, first, n).to(device_);
  auto skeleton = rows(batch.skeleton, first, n);
  if (skeleton.defined()) shard.skeleton = skeleton.to(device_);
  return shard;
}

}  // namespace vwb

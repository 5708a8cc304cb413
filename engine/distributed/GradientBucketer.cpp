#include "engine/distributed/torch/GradientBucketer.h"

#include <fmt/format.h>

#include "engine/core/Error.h"

namespace vwb::dist {

GradientBucketer::GradientBucketer(Communicator& comm, std::vector<at::Tensor> parameters,
                                   int64_t bucketBytes, bool overlap)
    : comm_(comm), params_(std::move(parameters)), overlap_(overlap) {
  std::vector<int64_t> numel;
  for (const auto& p : params_) {
    if (p.scalar_type() != at::kFloat)
      throw Error("gradient all-reduce expects fp32 parameters (AMP keeps master weights in fp32)");
    if (p.device() != params_.front().device())
      throw Error("gradient all-reduce expects one replica's parameters on one device");
    numel.push_back(p.requires_grad() ? p.numel() : 0);
  }
  layout_ = planBuckets(numel, 4, bucketBytes);
  where_.assign(params_.size(), {-1, -1});
  for (size_t b = 0; b < layout_.size(); ++b) {
    Bucket bucket;
    bucket.flat = torch::zeros({layout_[b].numel}, params_.front().options().requires_grad(false));
    buckets_.push_back(std::move(bucket));
    for (size_t s = 0; s < layout_[b].entries.size(); ++s)
      where_[size_t(layout_[b].entries[s].parameter)] = {int(b), int(s)};
  }
  arrived_.assign(params_.size(), false);
  if (overlap_) {
    for (size_t i = 0; i < params_.size(); ++i) {
      if (where_[i].first < 0) continue;
      // The hook runs before autograd accumulates into .grad; it must not hold the tensor
      // (that would be a reference cycle), so it refers to the parameter by index.
      hooks_.push_back(params_[i].register_hook([this, i](const at::Tensor& grad) {
        onGradient(int(i), grad);
      }));
    }
  }
}

GradientBucketer::~GradientBucketer() {
  if (!overlap_) return;
  size_t h = 0;
  for (size_t i = 0; i < params_.size(); ++i)
    if (where_[i].first >= 0) params_[i].remove_hook(hooks_[h++]);
}

void GradientBucketer::prepare() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t b = 0; b < buckets_.size(); ++b) {
    buckets_[b].missing = int(layout_[b].entries.size());
    buckets_[b].launched = false;
    buckets_[b].op = PendingOp{};
  }
  std::fill(arrived_.begin(), arrived_.end(), false);
  nextLaunch_ = 0;
  armed_ = true;
}

void GradientBucketer::onGradient(int parameter, const at::Tensor& grad) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!armed_ || arrived_[size_t(parameter)]) return;
  auto [b, s] = where_[size_t(parameter)];
  const BucketSlot& slot = layout_[size_t(b)].entries[size_t(s)];
  torch::NoGradGuard noGrad;
  at::Tensor dst = buckets_[size_t(b)].flat.narrow(0, slot.offset, slot.numel);
  // With gradient accumulation .grad already holds earlier micro-batches; this hook runs
  // before autograd adds `grad` to it, so the bucket gets the sum it will become.
  const at::Tensor& acc = params_[size_t(parameter)].grad();
  if (acc.defined())
    torch::add_out(dst, acc.reshape(-1), grad.reshape(-1));
  else
    dst.copy_(grad.reshape(-1));
  arrived_[size_t(parameter)] = true;
  if (--buckets_[size_t(b)].missing == 0) launchReady();
}

void GradientBucketer::launchReady() {
  while (nextLaunch_ < int(buckets_.size()) && buckets_[size_t(nextLaunch_)].missing == 0) {
    Bucket& bucket = buckets_[size_t(nextLaunch_)];
    bucket.op = comm_.allreduceSumAsync(bucket.flat, fmt::format("all-reduce of gradient bucket {}",
                                                                 nextLaunch_));
    bucket.launched = true;
    ++nextLaunch_;
  }
}

void GradientBucketer::fillFromGrad(int b, const BucketSlot& slot) {
  torch::NoGradGuard noGrad;
  at::Tensor dst = buckets_[size_t(b)].flat.narrow(0, slot.offset, slot.numel);
  const at::Tensor& g = params_[size_t(slot.parameter)].grad();
  if (g.defined())
    dst.copy_(g.reshape(-1));
  else
    dst.zero_();  // a parameter unused in this step contributes nothing
}

void GradientBucketer::finish() {
  double backwardEnd = nowSeconds();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Parameters whose hook did not run (unused this step, or overlap disabled) are read from .grad.
    for (size_t b = 0; b < buckets_.size(); ++b) {
      for (const auto& slot : layout_[b].entries) {
        if (arrived_[size_t(slot.parameter)]) continue;
        fillFromGrad(int(b), slot);
        arrived_[size_t(slot.parameter)] = true;
        --buckets_[b].missing;
      }
    }
    armed_ = false;
    launchReady();
  }
  stats_ = {};
  stats_.buckets = int(buckets_.size());
  torch::NoGradGuard noGrad;
  const double world = double(comm_.size());
  for (size_t b = 0; b < buckets_.size(); ++b) {
    Bucket& bucket = buckets_[b];
    comm_.wait(bucket.op);
    bucket.flat.div_(world);  // only after the wait: the sum is complete
    double done = bucket.op.completion->at > 0 ? bucket.op.completion->at : nowSeconds();
    stats_.allreduceSec += done - bucket.op.launchedAt;
    stats_.overlappedSec += std::max(0.0, std::min(done, backwardEnd) - bucket.op.launchedAt);
    for (const auto& slot : layout_[b].entries) {
      at::Tensor& p = params_[size_t(slot.parameter)];
      at::Tensor avg = bucket.flat.narrow(0, slot.offset, slot.numel).view_as(p);
      if (p.grad().defined())
        p.mutable_grad().copy_(avg);
      else
        p.mutable_grad() = avg.clone();
    }
  }
  stats_.exposedSec = nowSeconds() - backwardEnd;
}

}  // namespace vwb::dist

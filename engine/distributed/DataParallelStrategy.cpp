#include "engine/distributed/torch/DataParallelStrategy.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "engine/core/Error.h"

namespace vwb::dist {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

DataParallelStrategy::DataParallelStrategy(const TrainConfig& config)
    : config_(config), local_(parseLocalDevices(config.distributed.devices)) {
  if (config.distributed.nnodes > 1)
    throw Error("--strategy dp drives the devices of one machine; use --strategy ddp for "
                "several nodes");
}

DataParallelStrategy::~DataParallelStrategy() { workers_.reset(); }

std::vector<std::string> DataParallelStrategy::devices() const {
  std::vector<std::string> out;
  for (const auto& d : local_) out.push_back(d.label);
  return out;
}

void DataParallelStrategy::setup(const StrategyContext& context) {
  context_ = context;
  std::string why;
  precision_ = resolvePrecision(config_.run.amp, DeviceName{local_.front().device.is_cuda(), local_.front().device.index()}, &why);
  if (context.log) context.log->log(LogLevel::Info, "precision: " + why);
  for (size_t i = 0; i < local_.size(); ++i) {
    memory_.push_back(std::make_unique<CpuRankMemory>());
    staging_.push_back(std::make_unique<BatchStaging>(local_[i].device));
  }
  // Each replica's weights count towards its own device's tensor bytes.
  UNet3D master{nullptr};
  {
    std::optional<CpuRankMemory::Scope> scope;
    if (local_[0].device.is_cpu()) scope.emplace(*memory_[0]);
    master = makeUNet3D(config_.model, config_.run.seed);
    master->to(local_.front().device);
    master->train();
  }
  replicas_.push_back(master);
  for (size_t i = 1; i < local_.size(); ++i) {
    std::optional<CpuRankMemory::Scope> scope;
    if (local_[i].device.is_cpu()) scope.emplace(*memory_[i]);
    auto copy = std::dynamic_pointer_cast<UNet3DImpl>(master->clone(local_[i].device));
    replicas_.emplace_back(copy);
  }
  losses_.assign(local_.size(), 0.0);
  deviceSeconds_.assign(local_.size(), 0.0);
  update_ = OptimizerUpdate(config_, master->parameters(), precision_ == Precision::F16);
  int total = std::max(1, torch::get_num_threads());
  int share = local_.front().device.is_cpu() ? std::max(1, total / int(local_.size())) : 1;
  workers_ = std::make_unique<RankWorkers>(int(local_.size()), abort_);
  workers_->run([share](int) {
    at::init_num_threads();
    at::set_num_threads(share);
  });
}

void DataParallelStrategy::replicate() {
  torch::NoGradGuard noGrad;
  auto master = replicas_.front()->parameters();
  auto masterBuffers = replicas_.front()->buffers();
  for (size_t i = 1; i < replicas_.size(); ++i) {
    auto p = replicas_[i]->parameters();
    for (size_t k = 0; k < p.size(); ++k) p[k].copy_(master[k]);
    auto b = replicas_[i]->buffers();
    for (size_t k = 0; k < b.size(); ++k) b[k].copy_(masterBuffers[k]);
  }
}

void DataParallelStrategy::reduceGradsToMaster() {
  torch::NoGradGuard noGrad;
  auto master = replicas_.front()->parameters();
  for (size_t i = 1; i < replicas_.size(); ++i) {
    auto p = replicas_[i]->parameters();
    for (size_t k = 0; k < p.size(); ++k) {
      if (!p[k].grad().defined()) continue;
      auto g = p[k].grad().to(master[k].device());
      if (master[k].grad().defined()) master[k].mutable_grad().add_(g);
      else master[k].mutable_grad() = g.clone();
    }
  }
}

void DataParallelStrategy::prefetch(const GlobalBatch& next) {
  const int64_t devices = int64_t(local_.size());
  if (next.size() % devices != 0) return;  // step() reports it
  const int64_t shard = next.size() / devices;
  for (size_t i = 0; i < local_.size(); ++i) staging_[i]->stage(next, int64_t(i) * shard, shard);
}

StepResult DataParallelStrategy::step(const GlobalBatch& batch, double lr) {
  update_.setLearningRate(lr);
  const int64_t n = batch.size();
  const int64_t devices = int64_t(replicas_.size());
  if (n % devices != 0)
    throw Error(fmt::format("dp: global batch {} does not split evenly over {} devices", n, devices));
  const int64_t shard = n / devices;
  double commSec = 0;
  auto commStart = Clock::now();
  replicate();
  commSec += since(commStart);
  std::fill(deviceSeconds_.begin(), deviceSeconds_.end(), 0.0);
  for (;;) {
    for (auto& r : replicas_)
      for (auto& p : r->parameters())
        if (p.grad().defined()) p.mutable_grad().zero_();
    std::vector<char> outOfMemory(replicas_.size(), 0);
    // Scatter + parallel forward/backward: device i takes samples [i*shard, (i+1)*shard).
    workers_->run([&](int i) {
      const auto& device = local_[size_t(i)].device;
      std::optional<CpuRankMemory::Scope> metered;
      if (device.is_cpu()) metered.emplace(*memory_[size_t(i)]);
      const auto start = Clock::now();
      ShardPass pass{replicas_[size_t(i)].get(), precision_, device, &config_, &update_.scaler(), nullptr, nullptr};
      if (context_.beforeMicroBatch)
        pass.beforeMicroBatch = [&](int64_t len) { context_.beforeMicroBatch(batch.step, i, len); };
      double sum = 0;
      try {
        // Sum over the global batch size: the replicas' gradients add up to the batch mean.
        sum = accumulateShard(staging_[size_t(i)]->take(batch, i * shard, shard), shard,
                              update_.microBatchSize(), double(n), pass);
      } catch (const std::exception& e) {
        if (!isOutOfMemory(e)) throw;  // a real failure stops the run
        outOfMemory[size_t(i)] = 1;
      }
      losses_[size_t(i)] = sum;
      deviceSeconds_[size_t(i)] += since(start);
    });
    const int failed = int(std::count(outOfMemory.begin(), outOfMemory.end(), 1));
    if (failed == 0) break;
    // Out of memory on some device: drop the attempt everywhere, halve the micro-batch, redo.
    for (size_t i = 0; i < replicas_.size(); ++i) {
      for (auto& p : replicas_[i]->parameters())
        if (p.grad().defined()) p.mutable_grad().zero_();
      releaseCachedMemory(local_[i].device);
    }
    const std::string warning =
        update_.microBatch().halve(fmt::format("{} device{}", failed, failed == 1 ? "" : "s"), batch.step, n);
    if (context_.log) context_.log->log(LogLevel::Warning, warning);
  }
  // Gather on device 0: loss, gradients, then the single optimizer step.
  StepResult result;
  for (double l : losses_) result.loss += l;
  commStart = Clock::now();
  reduceGradsToMaster();
  commSec += since(commStart);
  result.commSeconds = commSec;
  result.deviceSeconds = deviceSeconds_;
  result.microBatch = update_.microBatchSize();
  const OptimizerUpdate::Outcome outcome = update_.apply(replicas_.front()->parameters(), result.loss);
  result.gradNorm = outcome.gradNorm;
  result.skipped = outcome.skipped;
  return result;
}

torch::Tensor DataParallelStrategy::predictLogits(const torch::Tensor& image) {
  auto& master = replicas_.front();
  const auto& device = local_.front().device;
  torch::NoGradGuard noGrad;
  master->eval();
  torch::Tensor out;
  {
    AutocastScope autocast(precision_, device.is_cuda());
    out = master->forward(image.to(device));
  }
  master->train();
  return out.to(torch::kCPU, torch::kFloat32);
}

void DataParallelStrategy::saveState(torch::serialize::OutputArchive& archive) { update_.save(archive); }

void DataParallelStrategy::loadState(torch::serialize::InputArchive& archive) {
  update_.load(archive, local_.front().device);  // the master copy lives on device 0
  replicate();
}

std::vector<DeviceMemory> DataParallelStrategy::memory() const {
  std::vector<DeviceMemory> out;
  for (size_t i = 0; i < local_.size(); ++i)
    out.push_back(local_[i].device.is_cpu() ? memory_[i]->snapshot(local_[i].label)
                                            : probeDeviceMemory(local_[i].device, local_[i].label));
  return out;
}

}  // namespace vwb::dist

#include "engine/train/torch/StrategyStep.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/train/detail/Optimizers.h"
#include "engine/train/detail/TrainingLoss.h"

namespace vwb {

MicroBatchGovernor::MicroBatchGovernor(int batchPerDevice) : size_(std::max(1, batchPerDevice)) {}

std::string MicroBatchGovernor::halve(const std::string& where, int64_t step, int64_t globalBatch,
                                      bool everyRank) {
  if (size_ <= 1)
    throw Error(fmt::format("out of memory on {} even with a micro-batch of 1: use a smaller --patch or "
                            "fewer --base-channels", where));
  const int64_t before = size_;
  size_ = std::max<int64_t>(1, before / 2);
  return fmt::format("out of memory on {} at step {}: micro-batch {} -> {}{}, global batch {} kept by "
                     "gradient accumulation", where, step + 1, before, size_,
                     everyRank ? " on every rank" : "", globalBatch);
}

void MicroBatchGovernor::restore(int64_t saved) { size_ = std::clamp<int64_t>(saved, 1, size_); }

double accumulateShard(const BatchStaging::DeviceShard& shard, int64_t count, int64_t microBatch,
                       double divisor, const ShardPass& pass) {
  const LossOptions options = lossOptionsFor(*pass.config);
  torch::Tensor lossAcc;
  for (int64_t start = 0; start < count; start += microBatch) {
    const int64_t len = std::min(microBatch, count - start);
    if (pass.beforeMicroBatch) pass.beforeMicroBatch(len);
    auto image = shard.image.narrow(0, start, len);
    auto label = shard.label.narrow(0, start, len);
    auto skeleton = shard.skeleton.defined() ? shard.skeleton.narrow(0, start, len) : torch::Tensor();
    torch::Tensor loss;
    {
      AutocastScope autocast(pass.precision, pass.device.is_cuda());
      loss = trainingLoss(*pass.model, image, label, skeleton, options).sum() / divisor;
    }
    if (start + len >= count && pass.beforeLastBackward) pass.beforeLastBackward();
    (pass.scaler->enabled() ? loss * pass.scaler->scale() : loss).backward();
    // In double, in micro-batch order: the same sum as adding each loss on the host.
    auto l = loss.detach().to(torch::kFloat64);
    lossAcc = lossAcc.defined() ? lossAcc + l : l;
  }
  return lossAcc.defined() ? lossAcc.item<double>() : 0.0;
}

OptimizerUpdate::OptimizerUpdate(const TrainConfig& config, std::vector<torch::Tensor> parameters, bool fp16)
    : gradClip_(config.optimizer.gradClip),
      optimizer_(makeOptimizer(config.optimizer, std::move(parameters))),
      scaler_(fp16),
      microBatch_(config.data.batchPerDevice) {}

void OptimizerUpdate::setLearningRate(double lr) { vwb::setLearningRate(*optimizer_, lr); }

OptimizerUpdate::Outcome OptimizerUpdate::apply(const std::vector<torch::Tensor>& parameters, double loss) {
  Outcome out;
  bool finite = scaler_.unscale(parameters) && std::isfinite(loss);
  if (finite) {
    const double clip = gradClip_ > 0 ? gradClip_ : std::numeric_limits<double>::infinity();
    out.gradNorm = torch::nn::utils::clip_grad_norm_(parameters, clip);
    finite = std::isfinite(out.gradNorm);
  }
  scaler_.update(finite);
  out.skipped = !finite;
  if (finite) optimizer_->step();
  else optimizer_->zero_grad();
  return out;
}

void OptimizerUpdate::save(torch::serialize::OutputArchive& archive) {
  torch::serialize::OutputArchive opt;
  optimizer_->save(opt);
  archive.write("optimizer", opt);
  scaler_.save(archive);
  archive.write("micro_batch", c10::IValue(microBatch_.size()));
}

void OptimizerUpdate::load(torch::serialize::InputArchive& archive, const torch::Device& device) {
  torch::serialize::InputArchive opt;
  if (archive.try_read("optimizer", opt)) {
    optimizer_->load(opt);
    adoptState(*optimizer_, device);
  }
  scaler_.load(archive);
  c10::IValue v;
  if (archive.try_read("micro_batch", v)) microBatch_.restore(v.toInt());
}

}  // namespace vwb

#pragma once
// The parts of an optimizer step that every strategy shares (torch), written once so
// that single (this module), ddp and dp (engine/distributed) cannot drift apart:
//   - MicroBatchGovernor: the micro-batch in use on a device, halved after an out-of-memory
//     error while the global batch is kept by gradient accumulation;
//   - accumulateShard: forward + backward of one device's share of the batch in micro-batches;
//   - OptimizerUpdate: the optimizer, its loss scaler and the governor, the one update
//     (unscale, clip, step or skip) and the one schema of this state in last.pt.
// A strategy includes this header for everything it builds a step from (the interface, batch
// staging, mixed precision and device support).
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/train/torch/BatchStaging.h"
#include "engine/train/torch/DeviceSupport.h"
#include "engine/train/torch/LossScaler.h"
#include "engine/train/torch/TrainStrategy.h"

namespace vwb {

class MicroBatchGovernor {
 public:
  explicit MicroBatchGovernor(int batchPerDevice = 1);
  int64_t size() const { return size_; }
  // After an out-of-memory error on `where` ("cuda:0", "1 rank", "2 devices") at the 0-based
  // `step`: halves the micro-batch and returns the warning to log. `everyRank`: the ranks halve
  // together (ddp). Throws vwb::Error when the micro-batch already is 1.
  std::string halve(const std::string& where, int64_t step, int64_t globalBatch, bool everyRank = false);
  // A checkpoint's micro-batch: kept when smaller (the run had halved it), never grown.
  void restore(int64_t saved);

 private:
  int64_t size_ = 1;
};

// What accumulateShard needs of the strategy besides the shard.
struct ShardPass {
  UNet3DImpl* model = nullptr;
  Precision precision = Precision::F32;
  torch::Device device{torch::kCPU};
  const TrainConfig* config = nullptr;
  const LossScaler* scaler = nullptr;
  // Called before each micro-batch's forward with its size (the loop's test hook).
  std::function<void(int64_t len)> beforeMicroBatch;
  // Called once before the shard's last backward (ddp: the gradient bucketer starts listening).
  std::function<void()> beforeLastBackward;
};

// Forward + backward of the `count` samples of `shard` in micro-batches of `microBatch`; each
// micro-batch's summed per-sample loss is divided by `divisor` (the global batch, or a rank's
// shard when ranks average), so micro-batches add up exactly. The losses are summed on the
// device in double, in micro-batch order: one host synchronisation per step. Returns that sum.
double accumulateShard(const BatchStaging::DeviceShard& shard, int64_t count, int64_t microBatch,
                       double divisor, const ShardPass& pass);

class OptimizerUpdate {
 public:
  OptimizerUpdate() = default;
  // The config's optimizer over `parameters`; dynamic loss scaling when `fp16`.
  OptimizerUpdate(const TrainConfig& config, std::vector<torch::Tensor> parameters, bool fp16);

  torch::optim::Optimizer& optimizer() { return *optimizer_; }
  const LossScaler& scaler() const { return scaler_; }
  MicroBatchGovernor& microBatch() { return microBatch_; }
  int64_t microBatchSize() const { return microBatch_.size(); }

  void setLearningRate(double lr);
  void zeroGrad() { optimizer_->zero_grad(); }

  struct Outcome {
    double gradNorm = 0;   // before clipping
    bool skipped = false;  // inf/NaN loss or gradients: no update
  };
  // The one update after backward: unscale the gradients, clip their norm (config.gradClip; none
  // when 0), update the loss scale, then step, or drop the gradients when anything was not finite.
  Outcome apply(const std::vector<torch::Tensor>& parameters, double loss);

  // The strategy's part of last.pt (the same keys for every strategy): "optimizer", the loss
  // scaler's "scaler_*" and "micro_batch". load() runs after setup; the optimizer state moves to
  // `device`; a checkpoint without some key (older, or of another strategy) keeps the defaults.
  void save(torch::serialize::OutputArchive& archive);
  void load(torch::serialize::InputArchive& archive, const torch::Device& device);

 private:
  double gradClip_ = 0;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;  // AdamW or SGD (Optimizers.h)
  LossScaler scaler_;
  MicroBatchGovernor microBatch_;
};

}  // namespace vwb

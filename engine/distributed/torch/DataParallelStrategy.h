#pragma once
// DataParallel (torch), done by hand because torch::nn::parallel::data_parallel does not
// build against Debian's CPU LibTorch. One driver: the master model lives on device 0; every step
// the replicas receive its weights, the batch is scattered, replicas run forward/backward in
// parallel, losses are gathered and gradients reduced onto device 0, and one AdamW step updates
// the master. Exists because users know it from the seed; DDP is faster (no device-0 funnel).
// Out of memory on any device: the attempt is dropped, the micro-batch halved and the step redone.
#include <memory>
#include <vector>

#include "engine/distributed/RankWorkers.h"
#include "engine/distributed/torch/DeviceList.h"
#include "engine/train/torch/StrategyStep.h"

namespace vwb::dist {

class DataParallelStrategy : public TrainStrategy {
 public:
  explicit DataParallelStrategy(const TrainConfig& config);
  ~DataParallelStrategy() override;
  std::string name() const override { return "dp"; }
  std::vector<std::string> devices() const override;
  std::string precisionName() const override { return vwb::precisionName(precision_); }
  void setup(const StrategyContext& context) override;
  StepResult step(const GlobalBatch& batch, double lr) override;
  torch::Tensor predictLogits(const torch::Tensor& image) override;
  UNet3DImpl& model() override { return *replicas_.front(); }
  void saveState(torch::serialize::OutputArchive& archive) override;
  void loadState(torch::serialize::InputArchive& archive) override;
  std::vector<DeviceMemory> memory() const override;
  bool overlapsCopies() const override { return local_.front().device.is_cuda(); }
  void prefetch(const GlobalBatch& next) override;

 private:
  void replicate();             // master weights -> replicas 1..N-1
  void reduceGradsToMaster();   // replicas' grads summed into the master's

  TrainConfig config_;
  StrategyContext context_;
  std::vector<LocalDevice> local_;
  Precision precision_ = Precision::F32;
  std::vector<UNet3D> replicas_;  // [0] is the master on device 0
  std::vector<double> losses_;
  std::vector<double> deviceSeconds_;  // this step's forward/backward per device
  std::vector<std::unique_ptr<CpuRankMemory>> memory_;  // CPU devices: each worker's tensor bytes
  std::vector<std::unique_ptr<BatchStaging>> staging_;  // each device's next shard, copied ahead
  OptimizerUpdate update_;  // the master's optimizer, loss scaler and the micro-batch of every device
  std::shared_ptr<AbortSignal> abort_ = std::make_shared<AbortSignal>();
  std::unique_ptr<RankWorkers> workers_;
};

}  // namespace vwb::dist

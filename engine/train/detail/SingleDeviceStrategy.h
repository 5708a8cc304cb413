#pragma once
// The one-device strategy: the global batch is run as micro-batches with gradient accumulation
// on one device. After an out-of-memory error the micro-batch is halved and the step redone, so
// the global batch (and the result, up to summation order) stays the same.
#include <memory>
#include <optional>

#include "engine/train/torch/StrategyStep.h"

namespace vwb {

class SingleDeviceStrategy : public TrainStrategy {
 public:
  explicit SingleDeviceStrategy(std::string device);
  std::string name() const override { return "single"; }
  std::vector<std::string> devices() const override { return {deviceName_}; }
  std::string precisionName() const override { return vwb::precisionName(precision_); }
  void setup(const StrategyContext& context) override;
  StepResult step(const GlobalBatch& batch, double lr) override;
  torch::Tensor predictLogits(const torch::Tensor& image) override;
  UNet3DImpl& model() override { return *model_; }
  void saveState(torch::serialize::OutputArchive& archive) override;
  void loadState(torch::serialize::InputArchive& archive) override;
  std::vector<DeviceMemory> memory() const override;
  bool overlapsCopies() const override { return device_.is_cuda(); }
  void prefetch(const GlobalBatch& next) override { staging_->stage(next, 0, next.size()); }

 private:
  void log(LogLevel level, const std::string& message) const;

  std::string deviceName_;
  torch::Device device_{torch::kCPU};
  StrategyContext context_;
  Precision precision_ = Precision::F32;
  UNet3D model_{nullptr};
  OptimizerUpdate update_;  // optimizer, loss scaler, micro-batch (StrategyStep.h)
  std::unique_ptr<BatchStaging> staging_;  // the next batch's copy to a GPU, overlapping compute
};

}  // namespace vwb

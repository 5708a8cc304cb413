#include "engine/train/detail/SingleDeviceStrategy.h"

#include <chrono>

namespace vwb {

SingleDeviceStrategy::SingleDeviceStrategy(std::string device)
    : deviceName_(std::move(device)), device_(parseDevice(deviceName_)) {}

std::unique_ptr<TrainStrategy> makeSingleDeviceStrategy(const std::string& device) {
  return std::make_unique<SingleDeviceStrategy>(device);
}

void SingleDeviceStrategy::log(LogLevel level, const std::string& message) const {
  if (context_.log) context_.log->log(level, message);
}

void SingleDeviceStrategy::setup(const StrategyContext& context) {
  context_ = context;
  std::string why;
  precision_ = resolvePrecision(context.config.run.amp, DeviceName{device_.is_cuda(), device_.index()}, &why);
  log(LogLevel::Info, "precision: " + why);
  model_ = makeUNet3D(context.config.model, context.config.run.seed);
  model_->to(device_);
  model_->train();
  update_ = OptimizerUpdate(context.config, model_->parameters(), precision_ == Precision::F16);
  staging_ = std::make_unique<BatchStaging>(device_);
}

StepResult SingleDeviceStrategy::step(const GlobalBatch& batch, double lr) {
  const auto start = std::chrono::steady_clock::now();
  update_.setLearningRate(lr);
  ShardPass pass{model_.get(), precision_, device_, &context_.config, &update_.scaler(), nullptr, nullptr};
  if (context_.beforeMicroBatch)
    pass.beforeMicroBatch = [&](int64_t len) { context_.beforeMicroBatch(batch.step, 0, len); };
  StepResult result;
  for (;;) {
    update_.zeroGrad();
    try {
      const int64_t n = batch.size();
      // Sum of per-sample losses over the *global* batch size: micro-batches add up exactly.
      result.loss = accumulateShard(staging_->take(batch, 0, n), n, update_.microBatchSize(), double(n), pass);
      break;
    } catch (const std::exception& e) {
      if (!isOutOfMemory(e)) throw;
      update_.zeroGrad();
      releaseCachedMemory(device_);
      log(LogLevel::Warning, update_.microBatch().halve(deviceName_, batch.step, batch.size()));
    }
  }
  result.microBatch = update_.microBatchSize();
  result.deviceSeconds = {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  const OptimizerUpdate::Outcome outcome = update_.apply(model_->parameters(), result.loss);
  result.gradNorm = outcome.gradNorm;
  result.skipped = outcome.skipped;
  return result;
}

torch::Tensor SingleDeviceStrategy::predictLogits(const torch::Tensor& image) {
  torch::NoGradGuard noGrad;
  model_->eval();
  torch::Tensor out;
  {
    AutocastScope autocast(precision_, device_.is_cuda());
    out = model_->forward(image.to(device_));
  }
  model_->train();
  return out.to(torch::kCPU, torch::kFloat32);
}

void SingleDeviceStrategy::saveState(torch::serialize::OutputArchive& archive) { update_.save(archive); }

void SingleDeviceStrategy::loadState(torch::serialize::InputArchive& archive) { update_.load(archive, device_); }

std::vector<DeviceMemory> SingleDeviceStrategy::memory() const {
  return {probeDeviceMemory(device_, deviceName_)};
}

}  // namespace vwb

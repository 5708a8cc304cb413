#include "engine/train/detail/SingleDeviceStrategy.h"

#include <chrono>

#include "engine/core/Error.h"
#include "engine/train/detail/DeviceSupport.h"
#include "engine/train/detail/Loss.h"
#include "engine/train/detail/Optimizers.h"
#include "engine/train/detail/TrainingLoss.h"

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
  precision_ = resolvePrecision(context.config.amp, device_, &why);
  log(LogLevel::Info, "precision: " + why);
  model_ = makeUNet3D(context.config.model, context.config.seed);
  model_->to(device_);
  model_->train();
  optimizer_ = makeOptimizer(context.config, model_->parameters());
  scaler_ = LossScaler(precision_ == Precision::F16);
  microBatch_ = std::max(1, context.config.batchPerDevice);
  staging_ = std::make_unique<BatchStaging>(device_);
}

double SingleDeviceStrategy::accumulate(const GlobalBatch& batch) {
  const int64_t n = batch.size();
  double total = 0;
  torch::Tensor lossAcc;
  const BatchStaging::DeviceShard onDevice = staging_->take(batch, 0, n);
  for (int64_t start = 0; start < n; start += microBatch_) {
    int64_t len = std::min(microBatch_, n - start);
    if (context_.beforeMicroBatch) context_.beforeMicroBatch(batch.step, 0, len);
    auto image = onDevice.image.narrow(0, start, len);
    auto label = onDevice.label.narrow(0, start, len);
    auto skeleton = onDevice.skeleton.defined() ? onDevice.skeleton.narrow(0, start, len) : torch::Tensor();
    torch::Tensor loss;
    {
      AutocastScope autocast(precision_, device_);
      // Sum of per-sample losses over the *global* batch size: micro-batches add up exactly.
      loss = trainingLoss(*model_, image, label, skeleton,
                          lossOptionsFor(context_.config))
                 .sum() /
             static_cast<double>(n);
    }
    (scaler_.enabled() ? loss * scaler_.scale() : loss).backward();
    // Summed on the device in double, in micro-batch order (the same sum as on the host): one
    // host synchronisation per step instead of one per micro-batch.
    auto l = loss.detach().to(torch::kFloat64);
    lossAcc = lossAcc.defined() ? lossAcc + l : l;
  }
  if (lossAcc.defined()) total = lossAcc.item<double>();
  return total;
}

StepResult SingleDeviceStrategy::step(const GlobalBatch& batch, double lr) {
  const auto start = std::chrono::steady_clock::now();
  setLearningRate(*optimizer_, lr);
  StepResult result;
  for (;;) {
    optimizer_->zero_grad();
    try {
      result.loss = accumulate(batch);
      break;
    } catch (const std::exception& e) {
      if (!isOutOfMemory(e)) throw;
      optimizer_->zero_grad();
      releaseCachedMemory(device_);
      if (microBatch_ <= 1)
        throw Error("out of memory on " + deviceName_ +
                    " even with a micro-batch of 1: use a smaller --patch or fewer --base-channels");
      int64_t before = microBatch_;
      microBatch_ = std::max<int64_t>(1, microBatch_ / 2);
      log(LogLevel::Warning, "out of memory on " + deviceName_ + " at step " +
                                 std::to_string(batch.step + 1) + ": micro-batch " +
                                 std::to_string(before) + " -> " + std::to_string(microBatch_) +
                                 ", global batch " + std::to_string(batch.size()) +
                                 " kept by gradient accumulation");
    }
  }
  result.microBatch = microBatch_;
  result.deviceSeconds = {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  auto params = model_->parameters();
  bool finite = scaler_.unscale(params) && std::isfinite(result.loss);
  if (finite) {
    double clip = context_.config.gradClip > 0 ? context_.config.gradClip
                                               : std::numeric_limits<double>::infinity();
    result.gradNorm = torch::nn::utils::clip_grad_norm_(params, clip);
    finite = std::isfinite(result.gradNorm);
  }
  scaler_.update(finite);
  if (!finite) {
    result.skipped = true;
    optimizer_->zero_grad();
    if (!scaler_.enabled())
      log(LogLevel::Warning, "step " + std::to_string(batch.step + 1) +
                                 ": non-finite loss or gradients, update skipped");
    return result;
  }
  optimizer_->step();
  return result;
}

torch::Tensor SingleDeviceStrategy::predictLogits(const torch::Tensor& image) {
  torch::NoGradGuard noGrad;
  model_->eval();
  torch::Tensor out;
  {
    AutocastScope autocast(precision_, device_);
    out = model_->forward(image.to(device_));
  }
  model_->train();
  return out.to(torch::kCPU, torch::kFloat32);
}

void SingleDeviceStrategy::saveState(torch::serialize::OutputArchive& archive) {
  torch::serialize::OutputArchive opt;
  optimizer_->save(opt);
  archive.write("optimizer", opt);
  scaler_.save(archive);
  archive.write("micro_batch", c10::IValue(microBatch_));
}

void SingleDeviceStrategy::loadState(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive opt;
  if (archive.try_read("optimizer", opt)) {
    optimizer_->load(opt);
    adoptState(*optimizer_, device_);
  }
  scaler_.load(archive);
  c10::IValue v;
  if (archive.try_read("micro_batch", v)) microBatch_ = std::min<int64_t>(microBatch_, v.toInt());
}

std::vector<DeviceMemory> SingleDeviceStrategy::memory() const {
  return {probeDeviceMemory(device_, deviceName_)};
}

}  // namespace vwb

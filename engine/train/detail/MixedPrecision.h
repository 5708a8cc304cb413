#pragma once
// Mixed precision (private: torch). CUDA: fp16 autocast with dynamic loss scaling, or bf16 where
// the device supports it. CPU: fp32 by default, bf16 autocast on request. The version- and
// CUDA-specific calls are confined to MixedPrecision.cpp.
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/train/TrainConfig.h"
#include "engine/train/MixedPrecisionChoice.h"

namespace vwb {

const char* precisionName(Precision p);

// choosePrecision() for this device: its compute capability (CUDA) or this CPU's features.
// Throws vwb::Error for a mode the device would only emulate. `why` gets a one-line reason.
// `knownCapability` ({major, minor}; {0, 0} = ask CUDA) is the CUDA device's compute capability as
// the caller learned it: for builds that cannot ask CUDA themselves (no VWB_WITH_CUDA: the Kaggle
// kit's library, whose notebook asks torch.cuda.get_device_capability).
Precision resolvePrecision(AmpMode mode, const torch::Device& device, std::string* why = nullptr,
                           std::pair<int, int> knownCapability = {0, 0});

// Enables autocast for `device` while alive (no-op for fp32); restores the previous state.
class AutocastScope {
 public:
  AutocastScope(Precision precision, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool previousEnabled_ = false;
  at::ScalarType previousType_ = at::kFloat;
};

// Dynamic loss scaling for fp16 (like torch.cuda.amp.GradScaler): the loss is multiplied by the
// scale before backward; gradients are unscaled before clipping; a step with inf/NaN gradients is
// skipped and the scale halved; after `growthInterval` good steps the scale doubles.
class LossScaler {
 public:
  explicit LossScaler(bool enabled = false, double initialScale = 65536.0, int growthInterval = 2000);
  bool enabled() const { return enabled_; }
  double scale() const { return enabled_ ? scale_ : 1.0; }
  // Divides gradients by the scale; returns false if any gradient is inf/NaN.
  bool unscale(const std::vector<torch::Tensor>& parameters);
  void update(bool finite);
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  bool enabled_;
  double scale_;
  int growthInterval_;
  int64_t goodSteps_ = 0;
};

}  // namespace vwb

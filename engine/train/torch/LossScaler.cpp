#include "engine/train/torch/LossScaler.h"

#include <algorithm>

namespace vwb {

LossScaler::LossScaler(bool enabled, double initialScale, int growthInterval)
    : enabled_(enabled), scale_(initialScale), growthInterval_(growthInterval) {}

bool LossScaler::unscale(const std::vector<torch::Tensor>& parameters) {
  if (!enabled_) return true;
  torch::NoGradGuard noGrad;
  bool finite = true;
  double inv = 1.0 / scale_;
  for (const auto& p : parameters) {
    auto g = p.grad();
    if (!g.defined()) continue;
    g.mul_(inv);
    if (finite && !torch::isfinite(g).all().item<bool>()) finite = false;
  }
  return finite;
}

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    scale_ = std::max(scale_ * 0.5, 1.0);
    goodSteps_ = 0;
  } else if (++goodSteps_ >= growthInterval_) {
    scale_ *= 2.0;
    goodSteps_ = 0;
  }
}

void LossScaler::save(torch::serialize::OutputArchive& archive) const {
  archive.write("scaler_enabled", c10::IValue(enabled_));
  archive.write("scaler_scale", c10::IValue(scale_));
  archive.write("scaler_good_steps", c10::IValue(goodSteps_));
}

void LossScaler::load(torch::serialize::InputArchive& archive) {
  c10::IValue v;
  if (archive.try_read("scaler_scale", v)) scale_ = v.toDouble();
  if (archive.try_read("scaler_good_steps", v)) goodSteps_ = v.toInt();
}

}  // namespace vwb

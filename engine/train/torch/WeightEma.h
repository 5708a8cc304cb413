#pragma once
// Exponential moving average of the weights (torch), as 10th place used: after every
// optimizer step ema = decay * ema + (1 - decay) * w for parameters; buffers (batch-norm
// statistics) are copied. Validation runs on the averaged weights by swapping them into the
// model and back: a swap moves tensors' contents without arithmetic, so training resumes on
// bit-identical weights.
#include <torch/torch.h>

#include <vector>

#include "engine/model/torch/UNet3DImpl.h"

namespace vwb {

class WeightEma {
 public:
  WeightEma(double decay, UNet3DImpl& model);  // starts from the model's current weights
  void update(UNet3DImpl& model);
  // Exchanges the model's weights with the averaged ones (call twice to restore).
  void swap(UNet3DImpl& model);
  void save(torch::serialize::OutputArchive& archive) const;  // section "ema"
  // Returns false when the archive has no "ema" section (a run that enabled EMA later).
  bool load(torch::serialize::InputArchive& archive);

 private:
  std::vector<torch::Tensor> tensorsOf(UNet3DImpl& model) const;
  double decay_;
  std::vector<torch::Tensor> average_;  // parameters then buffers, in registration order
  size_t parameterCount_ = 0;
};

// Swaps the EMA weights in for a scope (no-op without EMA).
class EmaScope {
 public:
  EmaScope(WeightEma* ema, UNet3DImpl& model) : ema_(ema), model_(model) {
    if (ema_) ema_->swap(model_);
  }
  ~EmaScope() {
    if (ema_) ema_->swap(model_);
  }
  EmaScope(const EmaScope&) = delete;
  EmaScope& operator=(const EmaScope&) = delete;

 private:
  WeightEma* ema_;
  UNet3DImpl& model_;
};

}  // namespace vwb

#pragma once
// fp16 training's dynamic loss scaling (torch). Which precision a device runs and the
// autocast around the forward pass are the network's (engine/model/Precision.h): inference uses
// them too; only training has gradients to scale.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "engine/model/Precision.h"

namespace vwb {

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

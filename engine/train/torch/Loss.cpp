#include "engine/train/torch/Loss.h"

namespace vwb {

torch::Tensor perSampleLoss(const torch::Tensor& logits, const torch::Tensor& label) {
  const int64_t n = logits.size(0);
  auto x = logits.to(torch::kFloat32).reshape({n, -1});
  auto lab = label.reshape({n, -1});
  auto valid = (lab != 2).to(torch::kFloat32);
  auto y = (lab == 1).to(torch::kFloat32);
  // Fused, numerically stable BCE-with-logits: max(x,0) - x*y + log(1 + exp(-|x|)).
  auto bce = torch::binary_cross_entropy_with_logits(x, y, {}, {}, at::Reduction::None);
  auto validCount = valid.sum(1);
  auto bceMean = (bce * valid).sum(1) / validCount.clamp_min(1.0);
  auto p = torch::sigmoid(x) * valid;
  auto yv = y * valid;
  auto dice = 1.0 - (2.0 * (p * yv).sum(1) + kDiceSmooth) / (p.sum(1) + yv.sum(1) + kDiceSmooth);
  return bceMean + dice;
}

}  // namespace vwb

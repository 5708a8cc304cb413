#pragma once
// Learning-rate schedules as pure functions of the step: linear warm-up then cosine decay to
// zero (AdamW), or nnU-Net's poly decay (SGD).
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace vwb {

// step is 0-based; warm-up covers round(warmupFraction * totalSteps) steps.
inline double learningRate(double base, int64_t step, int64_t totalSteps, double warmupFraction) {
  int64_t warm = std::llround(std::clamp(warmupFraction, 0.0, 1.0) * static_cast<double>(totalSteps));
  if (step < warm) return base * static_cast<double>(step + 1) / static_cast<double>(warm);
  int64_t span = std::max<int64_t>(1, totalSteps - warm);
  double t = std::clamp(static_cast<double>(step - warm) / static_cast<double>(span), 0.0, 1.0);
  return base * 0.5 * (1.0 + std::cos(3.14159265358979323846 * t));
}

// nnU-Net's poly schedule: base * (1 - step / totalSteps)^0.9, no warm-up.
inline double polyLearningRate(double base, int64_t step, int64_t totalSteps, double exponent = 0.9) {
  double t = std::clamp(static_cast<double>(step) / static_cast<double>(std::max<int64_t>(totalSteps, 1)),
                        0.0, 1.0);
  return base * std::pow(1.0 - t, exponent);
}

}  // namespace vwb

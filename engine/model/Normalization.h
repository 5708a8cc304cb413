#pragma once
// Intensity normalization (nnU-Net's CT scheme): clip to the training set's 0.5/99.5 percentiles,
// then subtract the mean and divide by the std of the clipped values. Computed once from the
// training volumes, stored in every checkpoint, and applied unchanged at inference.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Volume.h"

namespace vwb {

struct Normalization {
  double clipLow = 0, clipHigh = 255;
  double mean = 0, std = 1;

  float apply(double raw) const;
  // All 256 uint8 values mapped at once: normalizing a patch becomes a table lookup.
  std::array<float, 256> tableU8() const;

  std::string toJson() const;
  static Normalization fromJson(const std::string& json);  // throws vwb::Error
};

// From a 256-bin histogram of uint8 training intensities.
Normalization normalizationFromHistogram(const std::array<int64_t, 256>& histogram);
// Accumulates the histogram of a volume into `histogram`.
void addToHistogram(const VolumeU8& volume, std::array<int64_t, 256>& histogram);

}  // namespace vwb

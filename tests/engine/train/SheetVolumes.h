#pragma once
// Small labelled volumes for training tests: wavy sheets (label 1) in noisy background, a border
// of label 2. Overlapping intensity ranges make the task need spatial context, not a threshold.
#include <cmath>
#include <string>
#include <vector>

#include "engine/train/SplitMix.h"
#include "engine/train/TrainingVolume.h"

namespace vwbtest {

inline vwb::TrainingVolume sheetVolume(int64_t edge, uint64_t seed, const std::string& scroll) {
  vwb::TrainingVolume v;
  v.id = "v" + std::to_string(seed);
  v.scrollId = scroll;
  v.image = vwb::VolumeU8({edge, edge, edge});
  v.label = vwb::VolumeU8({edge, edge, edge});
  vwb::SplitMix rng(seed * 7919 + 1);
  double phase = rng.uniform(0, 6.28), spacing = 10 + rng.below(4);
  for (int64_t z = 0; z < edge; ++z)
    for (int64_t y = 0; y < edge; ++y)
      for (int64_t x = 0; x < edge; ++x) {
        double d = std::fmod(z + 3.0 * std::sin(0.2 * x + phase) + 2.0 * std::cos(0.15 * y) + 50.0,
                             spacing);
        bool on = d < 2.5;
        int value = (on ? 150 : 95) + static_cast<int>(rng.below(70)) - 35;
        v.image.at(z, y, x) = static_cast<uint8_t>(value);
        bool border = z < 1 || y < 1 || x < 1 || z >= edge - 1 || y >= edge - 1 || x >= edge - 1;
        v.label.at(z, y, x) = border ? 2 : (on ? 1 : 0);
      }
  return v;
}

inline std::vector<vwb::TrainingVolume> sheetVolumes(int count, int64_t edge, int scrolls = 1) {
  std::vector<vwb::TrainingVolume> out;
  for (int i = 0; i < count; ++i)
    out.push_back(sheetVolume(edge, static_cast<uint64_t>(i + 1), std::to_string(i % scrolls + 1)));
  return out;
}

}  // namespace vwbtest

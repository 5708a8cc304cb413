#pragma once
// Small deterministic volumes for the viewer tests: one bright wavy sheet in noise (CT), a
// probability that falls off with the distance from the sheet (so a threshold change moves the
// overlay's edge), and a label marking the sheet (1) with an unlabeled band (2) at one side.
#include <cmath>
#include <cstdint>
#include <memory>

#include "engine/core/Volume.h"

namespace vwbtest {

struct ViewerVolumesU8 {
  std::shared_ptr<vwb::VolumeU8> ct, probability, label;
};

inline ViewerVolumesU8 makeSheetVolumes(vwb::Shape3 s) {
  ViewerVolumesU8 v;
  v.ct = std::make_shared<vwb::VolumeU8>(s);
  v.probability = std::make_shared<vwb::VolumeU8>(s);
  v.label = std::make_shared<vwb::VolumeU8>(s);
  uint32_t rng = 12345;
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x) {
        // The sheet is a surface y = y0(x, z): it cuts every axial slice along a curve.
        const double y0 = s.h * (0.5 + 0.18 * std::sin(x * 6.28 / s.w) * std::cos(z * 3.14 / s.d));
        const double d = std::abs(y - y0);
        rng = rng * 1664525u + 1013904223u;
        const double noise = double(rng >> 24) / 255.0 * 30.0;
        v.ct->at(z, y, x) = uint8_t(std::min(255.0, 50 + noise + 150 * std::exp(-d * d / 6.0)));
        v.probability->at(z, y, x) = uint8_t(std::lround(255 * std::exp(-d * d / 50.0)));
        v.label->at(z, y, x) = d < 1.5 ? (x < s.w / 8 ? 2 : 1) : 0;
      }
  return v;
}

}  // namespace vwbtest

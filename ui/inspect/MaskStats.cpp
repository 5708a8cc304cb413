#include "ui/inspect/MaskStats.h"

#include <vector>

namespace vwb::inspect {

MaskStats maskStats(const VolumeU8& mask) {
  MaskStats s;
  const int64_t D = mask.shape.d, H = mask.shape.h, W = mask.shape.w;
  const int64_t n = mask.shape.voxels();
  if (n == 0) return s;
  // Flood fill over a visited copy; the stack holds flat indices (no recursion, no labels array).
  std::vector<uint8_t> todo(mask.data.size());
  int64_t foreground = 0;
  for (size_t i = 0; i < mask.data.size(); ++i) {
    todo[i] = mask.data[i] != 0;
    foreground += todo[i];
  }
  s.foregroundFraction = double(foreground) / double(n);
  std::vector<int64_t> stack;
  for (int64_t start = 0; start < n; ++start) {
    if (!todo[start]) continue;
    ++s.components;
    todo[start] = 0;
    stack.push_back(start);
    while (!stack.empty()) {
      const int64_t i = stack.back();
      stack.pop_back();
      const int64_t z = i / (H * W), y = (i / W) % H, x = i % W;
      for (int64_t dz = -1; dz <= 1; ++dz) {
        const int64_t zz = z + dz;
        if (zz < 0 || zz >= D) continue;
        for (int64_t dy = -1; dy <= 1; ++dy) {
          const int64_t yy = y + dy;
          if (yy < 0 || yy >= H) continue;
          for (int64_t dx = -1; dx <= 1; ++dx) {
            const int64_t xx = x + dx;
            if (xx < 0 || xx >= W) continue;
            const int64_t j = (zz * H + yy) * W + xx;
            if (todo[j]) {
              todo[j] = 0;
              stack.push_back(j);
            }
          }
        }
      }
    }
  }
  return s;
}

}  // namespace vwb::inspect

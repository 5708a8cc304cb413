#include "engine/metrics/Box3.h"

#include <algorithm>

namespace vwb {

std::vector<Box3> octants(Shape3 s) {
  // As the official scorer cuts: the first half takes the extra voxel of an odd size.
  const int64_t zs[3] = {0, (s.d + 1) / 2, s.d}, ys[3] = {0, (s.h + 1) / 2, s.h}, xs[3] = {0, (s.w + 1) / 2, s.w};
  std::vector<Box3> boxes;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c) {
        Box3 box{zs[a], ys[b], xs[c], zs[a + 1], ys[b + 1], xs[c + 1]};
        if (!box.empty()) boxes.push_back(box);
      }
  return boxes;
}

Box3 nonzeroBoundingBox(const VolumeU8& a, const VolumeU8& b) {
  const Shape3 s = a.shape;
  Box3 box{s.d, s.h, s.w, 0, 0, 0};
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y) {
      const uint8_t* ra = &a.data[a.index(z, y, 0)];
      const uint8_t* rb = &b.data[b.index(z, y, 0)];
      int64_t first = -1, last = -1;
      for (int64_t x = 0; x < s.w; ++x)
        if (ra[x] | rb[x]) {
          first = x;
          break;
        }
      if (first < 0) continue;
      for (int64_t x = s.w - 1; x >= first; --x)
        if (ra[x] | rb[x]) {
          last = x;
          break;
        }
      box.z0 = std::min(box.z0, z), box.z1 = std::max(box.z1, z + 1);
      box.y0 = std::min(box.y0, y), box.y1 = std::max(box.y1, y + 1);
      box.x0 = std::min(box.x0, first), box.x1 = std::max(box.x1, last + 1);
    }
  if (box.empty()) return {};
  return box;
}

}  // namespace vwb

#pragma once
// The 2x2x2 neighbourhood code at every voxel corner of a box, as DeepMind's surface-distance
// library encodes it (ndimage.correlate with kernel [[[128,64],[32,16]],[[8,4],[2,1]]]): the
// corner (z,y,x) looks at voxels z-1..z, y-1..y, x-1..x; offset (a,b,c) sets bit 7-(4a+2b+c).
// Corners run 0..n along each axis and voxels outside the box count as background, so a box
// of n voxels has n+1 corners per axis.
#include <cstdint>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/metrics/Box3.h"

namespace vwb {

// Codes of all corners of `box` (mask != 0 is foreground), z-major, (d+1) x (h+1) x (w+1).
std::vector<uint8_t> neighbourCodes(const VolumeU8& mask, const Box3& box);

// Calls rowFn(cz, cy, codes, w+1) for every corner row, without storing the whole code map.
template <class RowFn>
void forEachCodeRow(const VolumeU8& mask, const Box3& box, RowFn&& rowFn) {
  const Shape3 s = box.shape();
  const int64_t pw = s.w + 2, ph = s.h + 2;
  std::vector<uint8_t> below(static_cast<size_t>(pw * ph), 0), above(below.size(), 0);
  std::vector<uint8_t> codes(static_cast<size_t>(s.w + 1));
  // Plane k of the padded box: voxel (y, x) at padded (y+1, x+1), zeros around it.
  auto loadPlane = [&](int64_t z, std::vector<uint8_t>& plane) {
    if (z < 0 || z >= s.d) {
      std::fill(plane.begin(), plane.end(), 0);
      return;
    }
    for (int64_t y = 0; y < s.h; ++y) {
      const uint8_t* src = &mask.data[mask.index(box.z0 + z, box.y0 + y, box.x0)];
      uint8_t* dst = &plane[static_cast<size_t>((y + 1) * pw + 1)];
      for (int64_t x = 0; x < s.w; ++x) dst[x] = src[x] != 0;
    }
  };
  loadPlane(-1, below);
  for (int64_t cz = 0; cz <= s.d; ++cz) {
    loadPlane(cz, above);  // voxel plane cz; `below` holds plane cz-1
    for (int64_t cy = 0; cy <= s.h; ++cy) {
      const uint8_t* a0 = &below[static_cast<size_t>(cy * pw)];  // z-1, y-1
      const uint8_t* a1 = a0 + pw;                                // z-1, y
      const uint8_t* b0 = &above[static_cast<size_t>(cy * pw)];  // z,   y-1
      const uint8_t* b1 = b0 + pw;                                // z,   y
      for (int64_t cx = 0; cx <= s.w; ++cx)
        codes[cx] = static_cast<uint8_t>((a0[cx] << 7) | (a0[cx + 1] << 6) | (a1[cx] << 5) |
                                         (a1[cx + 1] << 4) | (b0[cx] << 3) | (b0[cx + 1] << 2) |
                                         (b1[cx] << 1) | b1[cx + 1]);
      rowFn(cz, cy, codes.data(), s.w + 1);
    }
    std::swap(below, above);
  }
}

// Euler characteristic of the foreground in `box` with 6-connectivity (background 26): the
// cubical complex with a vertex per voxel, an edge per 6-adjacent pair, a square per 2x2 and a
// cube per 2x2x2 block of foreground voxels. Summed from the corner codes: each vertex lies in
// 8 windows, each edge in 4, each square in 2, each cube in 1.
int64_t eulerCharacteristic6(const VolumeU8& mask, const Box3& box);

}  // namespace vwb

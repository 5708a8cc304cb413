#pragma once
// A half-open box [z0,z1) x [y0,y1) x [x0,x1) inside a volume: metrics work on whole volumes,
// on the union's bounding box (surface distances) and on octants (topology).
#include <cstdint>
#include <vector>

#include "engine/core/Volume.h"

namespace vwb {

struct Box3 {
  int64_t z0 = 0, y0 = 0, x0 = 0;
  int64_t z1 = 0, y1 = 0, x1 = 0;

  static Box3 of(Shape3 s) { return {0, 0, 0, s.d, s.h, s.w}; }
  Shape3 shape() const { return {z1 - z0, y1 - y0, x1 - x0}; }
  bool empty() const { return z1 <= z0 || y1 <= y0 || x1 <= x0; }
};

// The 2x2x2 octants of a volume (halves along each axis, the first half one voxel longer when the
// size is odd); empty ones are left out.
std::vector<Box3> octants(Shape3 s);

// Smallest box holding every nonzero voxel of either mask; empty box when both are empty.
Box3 nonzeroBoundingBox(const VolumeU8& a, const VolumeU8& b);

}  // namespace vwb

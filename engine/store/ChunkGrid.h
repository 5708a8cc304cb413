#pragma once
// The chunk layout of a volume: cubes of `edge` voxels, z-major, the last ones cut at the border.
#include <algorithm>
#include <cstdint>

#include "engine/core/Volume.h"

namespace vwb::store {

struct ChunkGrid {
  Shape3 shape;
  int64_t edge = 64;

  int64_t countZ() const { return (shape.d + edge - 1) / edge; }
  int64_t countY() const { return (shape.h + edge - 1) / edge; }
  int64_t countX() const { return (shape.w + edge - 1) / edge; }
  int64_t count() const { return countZ() * countY() * countX(); }
  int64_t index(int64_t cz, int64_t cy, int64_t cx) const { return (cz * countY() + cy) * countX() + cx; }
  // Chunk position (cz, cy, cx) of a chunk index.
  void position(int64_t i, int64_t& cz, int64_t& cy, int64_t& cx) const {
    cx = i % countX();
    cy = (i / countX()) % countY();
    cz = i / (countX() * countY());
  }
  // The chunk's extent (edge, or less at the far borders).
  Shape3 extent(int64_t cz, int64_t cy, int64_t cx) const {
    return {std::min(edge, shape.d - cz * edge), std::min(edge, shape.h - cy * edge),
            std::min(edge, shape.w - cx * edge)};
  }
};

}  // namespace vwb::store

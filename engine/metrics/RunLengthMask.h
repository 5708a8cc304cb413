#pragma once
// A binary mask stored as runs along x, row by row. Every connected-component pass in the
// metrics and post-processing works on runs: scroll masks are thin sheets, so a 320^3 volume
// holds ~10^5..10^6 runs instead of 3*10^7 voxels, and union-find over runs is linear and cheap.
#include <cstdint>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/metrics/Box3.h"

namespace vwb {

enum class Connectivity { Face6, Full26 };

struct Run {
  int32_t x0, x1;  // [x0, x1), box-local
};

class RunLengthMask {
 public:
  // Voxels inside `box` whose (mask != 0) equals `foreground`, box-local coordinates.
  static RunLengthMask encode(const VolumeU8& mask, const Box3& box, bool foreground = true);

  Shape3 shape;                   // the box's size
  std::vector<int64_t> rowStart;  // runs of row (z*h + y) are [rowStart[r], rowStart[r+1])
  std::vector<Run> runs;

  int64_t rows() const { return shape.d * shape.h; }
  int64_t voxels() const;
};

struct Components {
  std::vector<int32_t> runLabel;  // component of each run, 0..count-1
  int64_t count = 0;
};

Components labelComponents(const RunLengthMask& mask, Connectivity connectivity);

// Voxel count of each component.
std::vector<int64_t> componentSizes(const RunLengthMask& mask, const Components& components);

// Whether each component has a voxel on the box's outer faces.
std::vector<bool> componentsTouchingBorder(const RunLengthMask& mask, const Components& components);

}  // namespace vwb

#pragma once
// SurfaceDice@tau as DeepMind's surface-distance library computes it (compute_surface_distances
// + compute_surface_dice_at_tolerance, spacing 1): surface elements are the voxel corners whose
// 2x2x2 neighbourhood is neither empty nor full, each weighted by its marching-cubes area;
// exact Euclidean distances from each surface to the other's surface elements;
// (GT area within tau of Pred + Pred area within tau of GT) / (GT area + Pred area).
#include "engine/core/Volume.h"

namespace vwb {

struct SurfaceDiceResult {
  double value = 1;  // 1 when both masks are empty, 0 when exactly one is
  double gtArea = 0, predArea = 0;
  double gtAreaWithin = 0, predAreaWithin = 0;  // area within tau of the other surface
};

// Masks: nonzero = foreground; shapes must match (vwb::Error otherwise).
SurfaceDiceResult surfaceDice(const VolumeU8& gt, const VolumeU8& pred, double tau);

}  // namespace vwb

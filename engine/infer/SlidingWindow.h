#pragma once
// Where the windows of a sliding-window prediction go and how much each voxel of a window
// counts (nnU-Net's scheme): windows at step patch*(1-overlap), spread evenly so that the first
// starts at 0 and the last ends at the edge; Gaussian importance (sigma = patch/8) so that
// window centres, where the network sees the most context, dominate the blend.
#include <cstdint>
#include <vector>

#include "engine/core/Volume.h"

namespace vwb {

// Window starts along one axis of `size` voxels. size <= patch gives {0} (the caller pads).
// Throws vwb::Error for overlap outside [0, 1) or a non-positive patch.
std::vector<int64_t> windowStarts(int64_t size, int64_t patch, double overlap);

// Separable Gaussian over a patch, peak 1, sigma = patch/8 per axis. No weight is zero:
// every voxel of a window counts, so every voxel of the volume gets a finite blend.
std::vector<float> gaussianImportance(Shape3 patch);

}  // namespace vwb

#pragma once
// The tube skeleton-recall loss measures recall on (Kirchhoff et al., ECCV 2024), torch-free and
// computed per patch on the CPU: the label's surface voxels (1) are thinned to a one-voxel
// medial surface, which is then dilated by one voxel (26-neighbourhood) and kept inside the label.
#include <cstdint>

#include "engine/core/Volume.h"

namespace vwb {

// Topology-preserving 3D thinning of `mask` (non-zero = foreground) in place: six directional
// sub-iterations remove simple border points (26-connected foreground, 6-connected background)
// until none is left, except points one voxel thin along some axis, which keeps sheets as
// surfaces and tubes as curves instead of shrinking them to points. Structures leaving the
// volume are treated as continuing outside it (replicated border).
void thinToMedialSurface(VolumeU8& mask);

// tube[i] = 1 where a skeleton voxel of (label == 1) is within the 3x3x3 neighbourhood and
// label[i] == 1, else 0. label and tube hold shape.voxels() bytes, z-major.
void skeletonTube(const uint8_t* label, Shape3 shape, uint8_t* tube);

}  // namespace vwb

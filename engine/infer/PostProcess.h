#pragma once
// Probability volume (uint8 0..255 = p*255) -> binary mask (0/1): threshold, zero a border,
// drop small 26-connected components, optional closing and hole filling.
#include <cstdint>

#include "engine/core/Volume.h"

namespace vwb {

struct PostProcessOptions {
  double threshold = 0.5;          // on probability (0..1)
  int borderVoxels = 0;            // zero this many voxels at each face
  int64_t minComponentVoxels = 0;  // remove 26-connected components smaller than this
  int closingRadius = 0;           // binary closing with a cube of this radius (0 = off)
  bool fillHoles = false;          // fill background cavities not connected to the border
};

VolumeU8 postprocess(const VolumeU8& probability255, const PostProcessOptions& options);

}  // namespace vwb

#pragma once
// Cheap descriptions of a binary mask shown next to the scores: how much of the volume is
// foreground and in how many 26-connected pieces (a good surface prediction is a few large
// sheets, a noisy one thousands of specks). No Qt.
#include <cstdint>

#include "engine/core/Volume.h"

namespace vwb::inspect {

struct MaskStats {
  double foregroundFraction = 0;  // nonzero voxels / all voxels
  int64_t components = 0;         // 26-connected components of the nonzero voxels
};

MaskStats maskStats(const VolumeU8& mask);

}  // namespace vwb::inspect

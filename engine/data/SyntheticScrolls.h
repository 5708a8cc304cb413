#pragma once
// Synthetic scroll data, the built-in default: curved, wrapped papyrus-like sheets ~2 voxels thick
// with noise and intensity variation; label 1 on the sheet surfaces, 2 on a 3-voxel border and on
// some unlabeled regions. Deterministic for a seed.
#include <cstdint>
#include <string>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

namespace vwb {

struct SyntheticVolume {
  VolumeU8 image;  // uint8 CT-like intensities
  VolumeU8 label;  // 0 background, 1 surface, 2 unlabeled
};

SyntheticVolume generateSyntheticVolume(Shape3 shape, uint64_t seed);

struct SynthOptions {
  int train = 4;
  int test = 2;
  Shape3 size{128, 128, 128};
  uint64_t seed = 1;
  int scrolls = 2;  // scroll_id values spread over the volumes
};

// Writes the competition layout (LZW-compressed TIFFs, train.csv, test.csv) into dir, creating it.
void writeSyntheticDataset(const std::string& dir, const SynthOptions& options,
                           ProgressSink* progress = nullptr);

}  // namespace vwb

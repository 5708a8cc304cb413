#pragma once
// Synthetic scroll data, the built-in default: curved, wrapped papyrus-like sheets ~2 voxels thick
// with noise and intensity variation; label 1 on the sheet surfaces, 2 on a 3-voxel border and on
// some unlabeled regions. Deterministic for a seed.
//
// Model: a spiral scroll (Archimedean wraps around a tilted axis, hollow core, finite outer
// radius) deformed by smooth noise so neighbouring wraps bend, squeeze together and spread. Each
// sheet has a recto/verso fibre texture, per-wrap brightness, holes (not labelled) and a soft CT
// edge; the volume gets smooth shading, a linear gradient, Gaussian noise and bright debris that
// is not papyrus (label 0). A threshold alone therefore cannot reproduce the labels.
#include <cstdint>
#include <string>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

namespace vwb {

struct SyntheticVolume {
  VolumeU8 image;  // uint8 CT-like intensities
  VolumeU8 label;  // 0 background, 1 surface, 2 unlabeled
};

// threads = 0: all cores. The result does not depend on the number of threads.
SyntheticVolume generateSyntheticVolume(Shape3 shape, uint64_t seed, int threads = 0);

struct SynthOptions {
  int train = 4;
  int test = 2;
  Shape3 size{128, 128, 128};
  uint64_t seed = 1;
  int scrolls = 2;  // scroll_id values spread over the volumes
};

// Writes the competition layout (LZW-compressed TIFFs, train.csv, test.csv) into dir, creating it.
// Also writes test_labels/ (not in the competition layout, ignored by scanDataset) so predictions
// on the synthetic test volumes can be scored.
void writeSyntheticDataset(const std::string& dir, const SynthOptions& options,
                           ProgressSink* progress = nullptr);

}  // namespace vwb

#pragma once
// Cuts training patches out of a TrainingSource (torch-free): volumes in memory or the chunk
// cache, read one patch-sized box at a time. A patch is fully determined by a
// 64-bit key: volume (weighted by size), position (a share centred on label-1 voxels), and
// augmentation: the light preset's flips on three axes, 90-degree in-plane rotations, intensity
// scale/shift and Gaussian noise, or nnU-Net's chain (Augment.h: the box a rotated/scaled patch
// needs is read, resampled, then the intensity transforms run on the output buffer).
// Normalization is a 256-entry table lookup done while gathering.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/model/Normalization.h"
#include "engine/train/Augment.h"
#include "engine/train/TrainingSource.h"
#include "engine/train/TrainingVolume.h"

namespace vwb {

// Where a patch comes from and how it is transformed.
struct PatchSpec {
  int volume = 0;
  int64_t z = 0, y = 0, x = 0;  // corner in the volume (may be negative / overhang: padded)
  bool flipZ = false, flipY = false, flipX = false;
  int rot90 = 0;                // 0..3, in the y-x plane
  float scale = 1, shift = 0, noiseSigma = 0;
  uint64_t noiseSeed = 0;
  ChainDraw chain;              // nnunet/strong presets: replaces the light transforms above
};

class PatchSampler {
 public:
  // `volumes` must outlive the sampler. Label-1 voxel positions are indexed once here.
  PatchSampler(const std::vector<const TrainingVolume*>& volumes, const Normalization& norm,
               int64_t patch, double foregroundFraction, AugmentOptions augment = {});
  // The volumes `subset` (indices into source.volumes()) of a source that outlives the sampler;
  // PatchSpec::volume indexes the subset.
  PatchSampler(const TrainingSource& source, std::vector<int> subset, const Normalization& norm,
               int64_t patch, double foregroundFraction, AugmentOptions augment = {});

  int64_t patch() const { return patch_; }
  int64_t patchVoxels() const { return patch_ * patch_ * patch_; }

  // The random choices for one key.
  PatchSpec draw(uint64_t key) const;
  // Writes patch^3 normalized floats and labels; outside the volume: 0 and label 2 (ignored).
  void extract(const PatchSpec& spec, float* image, uint8_t* label) const;
  void sample(uint64_t key, float* image, uint8_t* label) const { extract(draw(key), image, label); }

  const TrainingSource& source() const { return *source_; }
  const std::vector<int>& subset() const { return subset_; }

 private:
  void index();
  void extractChain(const PatchSpec& spec, float* image, uint8_t* label) const;
  std::unique_ptr<TrainingSource> owned_;  // in-memory volumes given by pointer
  const TrainingSource* source_ = nullptr;
  std::vector<int> subset_;
  std::array<float, 256> table_;
  int64_t patch_;
  double foregroundFraction_;
  AugmentOptions augment_;
  std::vector<double> cumulativeVoxels_;          // size-weighted volume choice
};

}  // namespace vwb

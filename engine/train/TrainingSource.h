#pragma once
// Where training reads its labelled volumes from (torch-free): volumes decoded in memory
// (MemoryTrainingSource) or the preprocessed chunk cache (CachedTrainingSource). Patches,
// validation and normalization read only through this, so no whole volume is ever needed.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/train/TrainingVolume.h"

namespace vwb {

struct SourceVolume {
  std::string id, scrollId;
  Shape3 shape;
};

class TrainingSource {
 public:
  virtual ~TrainingSource() = default;
  virtual const std::vector<SourceVolume>& volumes() const = 0;
  // Positions (z-major voxel indices) of label-1 voxels, subsampled with a stride.
  virtual const std::vector<int64_t>& foreground(int volume) const = 0;
  virtual const std::array<int64_t, 256>& imageHistogram(int volume) const = 0;
  // Copies the box [z0, z0+d) x [y0, y0+h) x [x0, x0+w), z-major; outside the volume: image 0,
  // label 2. image or label may be null. Thread-safe.
  virtual void read(int volume, int64_t z0, int64_t y0, int64_t x0, int64_t d, int64_t h, int64_t w,
                    uint8_t* image, uint8_t* label) const = 0;
  // Decoded-chunk cache figures (0 for in-memory volumes).
  virtual int64_t cacheBudgetBytes() const { return 0; }
  virtual int64_t cachePeakBytes() const { return 0; }
};

// A labelled volume in memory the source does not own: shape voxels of image and label (0/1/2),
// z-major. The Kaggle kit hands over volumes Python read (numpy arrays, memory-mapped .npy files).
struct VolumeView {
  std::string id, scrollId;
  Shape3 shape;
  const uint8_t* image = nullptr;
  const uint8_t* label = nullptr;
};

// Volumes already in memory; they must outlive the source. Same batches whichever constructor.
class MemoryTrainingSource : public TrainingSource {
 public:
  explicit MemoryTrainingSource(const std::vector<const TrainingVolume*>& volumes);
  explicit MemoryTrainingSource(const std::vector<TrainingVolume>& volumes);
  explicit MemoryTrainingSource(std::vector<VolumeView> views);

  const std::vector<SourceVolume>& volumes() const override { return info_; }
  const std::vector<int64_t>& foreground(int volume) const override { return foreground_[size_t(volume)]; }
  const std::array<int64_t, 256>& imageHistogram(int volume) const override;
  void read(int volume, int64_t z0, int64_t y0, int64_t x0, int64_t d, int64_t h, int64_t w, uint8_t* image,
            uint8_t* label) const override;

 private:
  void index();
  std::vector<VolumeView> volumes_;
  std::vector<SourceVolume> info_;
  std::vector<std::vector<int64_t>> foreground_;
  mutable std::vector<std::array<int64_t, 256>> histograms_;  // computed on first use
  mutable std::vector<bool> haveHistogram_;
};

}  // namespace vwb

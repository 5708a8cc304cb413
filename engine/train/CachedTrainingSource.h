#pragma once
// Training volumes read from the preprocessed chunk cache (engine/store): a patch decodes only
// the chunks it touches, through one decoded-chunk cache with a byte budget shared by all loader
// threads and ranks. Nothing is held per volume but its chunk table and foreground sample.
#include <memory>
#include <string>
#include <vector>

#include "engine/train/TrainingSource.h"

namespace vwb {
namespace store {
class CachedVolumeSet;
}

struct CachedVolumeRef {
  std::string id, scrollId;
  std::string chunkFile;                 // the volume's cache file
  std::array<int64_t, 256> histogram{};  // image intensities, from the cache entry
};

class CachedTrainingSource : public TrainingSource {
 public:
  CachedTrainingSource(const std::vector<CachedVolumeRef>& volumes, int64_t cacheBudgetBytes);
  ~CachedTrainingSource() override;

  const std::vector<SourceVolume>& volumes() const override { return info_; }
  const std::vector<int64_t>& foreground(int volume) const override;
  const std::array<int64_t, 256>& imageHistogram(int volume) const override { return histograms_[size_t(volume)]; }
  void read(int volume, int64_t z0, int64_t y0, int64_t x0, int64_t d, int64_t h, int64_t w, uint8_t* image,
            uint8_t* label) const override;
  int64_t cacheBudgetBytes() const override;
  int64_t cachePeakBytes() const override;

 private:
  std::unique_ptr<store::CachedVolumeSet> set_;
  std::vector<SourceVolume> info_;
  std::vector<std::array<int64_t, 256>> histograms_;
};

}  // namespace vwb

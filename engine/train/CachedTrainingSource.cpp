#include "engine/train/CachedTrainingSource.h"

#include "engine/store/CachedVolumeSet.h"

namespace vwb {

CachedTrainingSource::CachedTrainingSource(const std::vector<CachedVolumeRef>& volumes, int64_t cacheBudgetBytes) {
  std::vector<std::unique_ptr<store::ChunkedVolumeFile>> files;
  for (const auto& v : volumes) {
    files.push_back(std::make_unique<store::ChunkedVolumeFile>(v.chunkFile, "train volume " + v.id));
    info_.push_back({v.id, v.scrollId, files.back()->grid().shape});
    histograms_.push_back(v.histogram);
  }
  set_ = std::make_unique<store::CachedVolumeSet>(std::move(files), cacheBudgetBytes);
}

CachedTrainingSource::~CachedTrainingSource() = default;

const std::vector<int64_t>& CachedTrainingSource::foreground(int volume) const {
  return set_->file(size_t(volume)).foregroundSample();
}

void CachedTrainingSource::read(int volume, int64_t z0, int64_t y0, int64_t x0, int64_t d, int64_t h, int64_t w,
                                uint8_t* image, uint8_t* label) const {
  set_->readBox(size_t(volume), z0, y0, x0, d, h, w, image, label);
}

int64_t CachedTrainingSource::cacheBudgetBytes() const { return set_->cache().budget(); }
int64_t CachedTrainingSource::cachePeakBytes() const { return set_->cache().peakBytes(); }

}  // namespace vwb

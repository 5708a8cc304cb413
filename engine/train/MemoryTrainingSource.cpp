#include "engine/train/TrainingSource.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "engine/core/Error.h"

namespace vwb {

namespace {
constexpr int64_t kMaxForegroundIndex = 1 << 18;  // per volume; a stride keeps it spread out
std::mutex histogramMutex;
}  // namespace

namespace {
VolumeView viewOf(const TrainingVolume& v) {
  if (v.image.shape != v.label.shape)
    throw Error(v.id + ": image " + v.image.shape.str() + " and label " + v.label.shape.str() + " differ in shape");
  return {v.id, v.scrollId, v.image.shape, v.image.data.data(), v.label.data.data()};
}
}  // namespace

MemoryTrainingSource::MemoryTrainingSource(const std::vector<const TrainingVolume*>& volumes) {
  for (const auto* v : volumes) volumes_.push_back(viewOf(*v));
  index();
}

MemoryTrainingSource::MemoryTrainingSource(const std::vector<TrainingVolume>& volumes) {
  for (const auto& v : volumes) volumes_.push_back(viewOf(v));
  index();
}

MemoryTrainingSource::MemoryTrainingSource(std::vector<VolumeView> views) : volumes_(std::move(views)) {
  for (const auto& v : volumes_)
    if (v.shape.empty() || !v.image || !v.label) throw Error(v.id + ": an empty volume or no voxels given");
  index();
}

void MemoryTrainingSource::index() {
  for (const auto& v : volumes_) {
    info_.push_back({v.id, v.scrollId, v.shape});
    const size_t n = static_cast<size_t>(v.shape.voxels());
    int64_t count = std::count(v.label, v.label + n, uint8_t(1));
    int64_t stride = std::max<int64_t>(1, (count + kMaxForegroundIndex - 1) / kMaxForegroundIndex);
    std::vector<int64_t> idx;
    idx.reserve(static_cast<size_t>(count / stride + 1));
    int64_t seen = 0;
    for (size_t i = 0; i < n; ++i)
      if (v.label[i] == 1 && seen++ % stride == 0) idx.push_back(static_cast<int64_t>(i));
    foreground_.push_back(std::move(idx));
  }
  histograms_.resize(volumes_.size());
  haveHistogram_.assign(volumes_.size(), false);
}

const std::array<int64_t, 256>& MemoryTrainingSource::imageHistogram(int volume) const {
  std::lock_guard<std::mutex> lock(histogramMutex);
  if (!haveHistogram_[size_t(volume)]) {
    histograms_[size_t(volume)] = {};
    const VolumeView& v = volumes_[size_t(volume)];
    auto& h = histograms_[size_t(volume)];
    for (const uint8_t* p = v.image, *end = v.image + v.shape.voxels(); p != end; ++p) ++h[*p];
    haveHistogram_[size_t(volume)] = true;
  }
  return histograms_[size_t(volume)];
}

void MemoryTrainingSource::read(int volume, int64_t z0, int64_t y0, int64_t x0, int64_t d, int64_t h, int64_t w,
                                uint8_t* image, uint8_t* label) const {
  const VolumeView& v = volumes_[size_t(volume)];
  const Shape3 s = v.shape;
  for (int64_t z = 0; z < d; ++z)
    for (int64_t y = 0; y < h; ++y) {
      const int64_t sz = z0 + z, sy = y0 + y;
      const size_t row = static_cast<size_t>((z * h + y) * w);
      if (sz < 0 || sz >= s.d || sy < 0 || sy >= s.h) {
        if (image) std::memset(image + row, 0, size_t(w));
        if (label) std::memset(label + row, 2, size_t(w));
        continue;
      }
      for (int64_t x = 0; x < w; ++x) {
        const int64_t sx = x0 + x;
        const bool inside = sx >= 0 && sx < s.w;
        const size_t at = inside ? static_cast<size_t>((sz * s.h + sy) * s.w + sx) : 0;
        if (image) image[row + size_t(x)] = inside ? v.image[at] : 0;
        if (label) label[row + size_t(x)] = inside ? v.label[at] : 2;
      }
    }
}

}  // namespace vwb

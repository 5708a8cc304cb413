#include "engine/train/PatchSampler.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/train/SplitMix.h"

namespace vwb {

namespace {
constexpr int64_t kMaxForegroundIndex = 1 << 18;  // per volume; a stride keeps it spread out
}

PatchSampler::PatchSampler(const std::vector<const TrainingVolume*>& volumes,
                           const Normalization& norm, int64_t patch, double foregroundFraction,
                           AugmentOptions augment)
    : volumes_(volumes),
      table_(norm.tableU8()),
      patch_(patch),
      foregroundFraction_(foregroundFraction),
      augment_(augment) {
  if (volumes_.empty()) throw Error("no training volumes");
  if (patch_ <= 0) throw Error("patch size must be positive");
  double total = 0;
  for (const auto* v : volumes_) {
    if (v->image.shape != v->label.shape)
      throw Error(v->id + ": image " + v->image.shape.str() + " and label " + v->label.shape.str() +
                  " differ in shape");
    total += static_cast<double>(v->image.shape.voxels());
    cumulativeVoxels_.push_back(total);
    int64_t count = std::count(v->label.data.begin(), v->label.data.end(), uint8_t(1));
    int64_t stride = std::max<int64_t>(1, (count + kMaxForegroundIndex - 1) / kMaxForegroundIndex);
    std::vector<int64_t> idx;
    idx.reserve(static_cast<size_t>(count / stride + 1));
    int64_t seen = 0;
    for (size_t i = 0; i < v->label.data.size(); ++i)
      if (v->label.data[i] == 1 && seen++ % stride == 0) idx.push_back(static_cast<int64_t>(i));
    foreground_.push_back(std::move(idx));
  }
}

PatchSpec PatchSampler::draw(uint64_t key) const {
  SplitMix rng(key);
  PatchSpec s;
  double pick = rng.uniform() * cumulativeVoxels_.back();
  s.volume = static_cast<int>(std::upper_bound(cumulativeVoxels_.begin(), cumulativeVoxels_.end(),
                                               pick) - cumulativeVoxels_.begin());
  s.volume = std::min<int>(s.volume, static_cast<int>(volumes_.size()) - 1);
  const Shape3 shape = volumes_[s.volume]->image.shape;
  const auto& fg = foreground_[s.volume];
  auto corner = [&](int64_t extent) {  // uniform corner; centred when the volume is smaller
    return extent >= patch_ ? rng.below(extent - patch_ + 1) : -(patch_ - extent) / 2;
  };
  bool foreground = rng.chance(foregroundFraction_);
  if (foreground && !fg.empty()) {
    int64_t i = fg[static_cast<size_t>(rng.below(static_cast<int64_t>(fg.size())))];
    int64_t cz = i / (shape.h * shape.w), cy = (i / shape.w) % shape.h, cx = i % shape.w;
    auto place = [&](int64_t c, int64_t extent) {  // centred on the voxel, kept inside if possible
      int64_t start = c - patch_ / 2;
      return extent >= patch_ ? std::clamp<int64_t>(start, 0, extent - patch_)
                              : -(patch_ - extent) / 2;
    };
    s.z = place(cz, shape.d);
    s.y = place(cy, shape.h);
    s.x = place(cx, shape.w);
  } else {
    s.z = corner(shape.d);
    s.y = corner(shape.h);
    s.x = corner(shape.w);
  }
  if (augment_.enabled) {
    s.flipZ = rng.chance(augment_.flipProbability);
    s.flipY = rng.chance(augment_.flipProbability);
    s.flipX = rng.chance(augment_.flipProbability);
    s.rot90 = augment_.rotateInPlane ? static_cast<int>(rng.below(4)) : 0;
    if (rng.chance(augment_.intensityProbability)) {
      s.scale = static_cast<float>(rng.uniform(1 - augment_.scaleRange, 1 + augment_.scaleRange));
      s.shift = static_cast<float>(rng.uniform(-augment_.shiftRange, augment_.shiftRange));
    }
    if (rng.chance(augment_.noiseProbability))
      s.noiseSigma = static_cast<float>(rng.uniform(0, augment_.noiseSigmaMax));
    s.noiseSeed = rng.next();
  }
  return s;
}

void PatchSampler::extract(const PatchSpec& s, float* image, uint8_t* label) const {
  const TrainingVolume& v = *volumes_[s.volume];
  const Shape3 shape = v.image.shape;
  const int64_t P = patch_;
  // Source offset of every output (y, x) within a slice, and of every output z: the flips and
  // the rotation become two small tables, and the gather is one pass (-1 = outside: padding).
  std::vector<int64_t> inPlane(static_cast<size_t>(P * P)), slice(static_cast<size_t>(P));
  for (int64_t y = 0; y < P; ++y)
    for (int64_t x = 0; x < P; ++x) {
      int64_t ry = y, rx = x;
      switch (s.rot90) {
        case 1: ry = x; rx = P - 1 - y; break;
        case 2: ry = P - 1 - y; rx = P - 1 - x; break;
        case 3: ry = P - 1 - x; rx = y; break;
        default: break;
      }
      if (s.flipY) ry = P - 1 - ry;
      if (s.flipX) rx = P - 1 - rx;
      int64_t sy = s.y + ry, sx = s.x + rx;
      bool inside = sy >= 0 && sy < shape.h && sx >= 0 && sx < shape.w;
      inPlane[static_cast<size_t>(y * P + x)] = inside ? sy * shape.w + sx : -1;
    }
  for (int64_t z = 0; z < P; ++z) {
    int64_t sz = s.z + (s.flipZ ? P - 1 - z : z);
    slice[static_cast<size_t>(z)] = sz >= 0 && sz < shape.d ? sz * shape.h * shape.w : -1;
  }
  const uint8_t* src = v.image.data.data();
  const uint8_t* lab = v.label.data.data();
  std::array<float, 256> table = table_;
  for (auto& t : table) t = t * s.scale + s.shift;
  for (int64_t z = 0; z < P; ++z) {
    float* out = image + z * P * P;
    uint8_t* outLabel = label + z * P * P;
    const int64_t base = slice[static_cast<size_t>(z)];
    for (int64_t i = 0; i < P * P; ++i) {
      int64_t off = inPlane[static_cast<size_t>(i)];
      if (base < 0 || off < 0) {
        out[i] = 0.0f;
        outLabel[i] = 2;
      } else {
        out[i] = table[src[base + off]];
        outLabel[i] = lab[base + off];
      }
    }
  }
  if (s.noiseSigma > 0) {
    SplitMix rng(s.noiseSeed);
    for (int64_t i = 0; i < P * P * P; ++i) image[i] += s.noiseSigma * static_cast<float>(rng.normal());
  }
}

}  // namespace vwb

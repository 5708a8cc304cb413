#include "engine/train/PatchSampler.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/train/SplitMix.h"

namespace vwb {

PatchSampler::PatchSampler(const std::vector<const TrainingVolume*>& volumes,
                           const Normalization& norm, int64_t patch, double foregroundFraction,
                           AugmentOptions augment)
    : owned_(std::make_unique<MemoryTrainingSource>(volumes)),
      source_(owned_.get()),
      table_(norm.tableU8()),
      patch_(patch),
      foregroundFraction_(foregroundFraction),
      augment_(augment) {
  for (int i = 0; i < static_cast<int>(volumes.size()); ++i) subset_.push_back(i);
  index();
}

PatchSampler::PatchSampler(const TrainingSource& source, std::vector<int> subset,
                           const Normalization& norm, int64_t patch, double foregroundFraction,
                           AugmentOptions augment)
    : source_(&source),
      subset_(std::move(subset)),
      table_(norm.tableU8()),
      patch_(patch),
      foregroundFraction_(foregroundFraction),
      augment_(augment) {
  index();
}

void PatchSampler::index() {
  if (subset_.empty()) throw Error("no training volumes");
  if (patch_ <= 0) throw Error("patch size must be positive");
  double total = 0;
  for (int v : subset_) {
    total += static_cast<double>(source_->volumes().at(static_cast<size_t>(v)).shape.voxels());
    cumulativeVoxels_.push_back(total);
  }
}

PatchSpec PatchSampler::draw(uint64_t key) const {
  SplitMix rng(key);
  PatchSpec s;
  double pick = rng.uniform() * cumulativeVoxels_.back();
  s.volume = static_cast<int>(std::upper_bound(cumulativeVoxels_.begin(), cumulativeVoxels_.end(),
                                               pick) - cumulativeVoxels_.begin());
  s.volume = std::min<int>(s.volume, static_cast<int>(subset_.size()) - 1);
  const int source = subset_[static_cast<size_t>(s.volume)];
  const Shape3 shape = source_->volumes()[static_cast<size_t>(source)].shape;
  const auto& fg = source_->foreground(source);
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
  if (augment_.enabled && augment_.chain) {
    s.chain = drawChain(rng, augment_.chainOptions);
  } else if (augment_.enabled) {
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
  if (s.chain.active) return extractChain(s, image, label);
  const int source = subset_.at(static_cast<size_t>(s.volume));
  const Shape3 shape = source_->volumes()[static_cast<size_t>(source)].shape;
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
      inPlane[static_cast<size_t>(y * P + x)] = inside ? ry * P + rx : -1;
    }
  for (int64_t z = 0; z < P; ++z) {
    int64_t sz = s.z + (s.flipZ ? P - 1 - z : z);
    slice[static_cast<size_t>(z)] = sz >= 0 && sz < shape.d ? (sz - s.z) * P * P : -1;
  }
  // Only the patch's box is read (from memory, or the chunks it touches in the cache).
  thread_local std::vector<uint8_t> boxImage, boxLabel;
  boxImage.resize(static_cast<size_t>(P * P * P));
  boxLabel.resize(static_cast<size_t>(P * P * P));
  source_->read(source, s.z, s.y, s.x, P, P, P, boxImage.data(), boxLabel.data());
  const uint8_t* src = boxImage.data();
  const uint8_t* lab = boxLabel.data();
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

void PatchSampler::extractChain(const PatchSpec& s, float* image, uint8_t* label) const {
  const int source = subset_.at(static_cast<size_t>(s.volume));
  const Shape3 shape = source_->volumes()[static_cast<size_t>(source)].shape;
  const Dims volume{shape.d, shape.h, shape.w};
  const int64_t P = patch_;
  const ChainDraw& c = s.chain;
  const Dims out{P, P, P};
  if (c.spatial) {
    // nnU-Net samples a larger patch, then rotates/scales and crops it: here only the boxes around
    // the output's footprint are read, slab by slab, straight from the source.
    AffineMap map = patchAffine(c.angles, c.scale, c.mirror);
    const double half = static_cast<double>(P - 1) / 2;
    const double centre[3] = {static_cast<double>(s.z) + half, static_cast<double>(s.y) + half,
                              static_cast<double>(s.x) + half};
    centreMap(map, centre, P);
    auto read = [&](const int64_t corner[3], Dims box, uint8_t* boxImage, uint8_t* boxLabel) {
      source_->read(source, corner[0], corner[1], corner[2], box.d, box.h, box.w, boxImage, boxLabel);
      markOutside(boxLabel, box, corner, volume);
    };
    resamplePatchFrom(read, table_.data(), map, out, image, label, augment_.chainOptions.labels,
                      c.elastic * static_cast<float>(P), c.elasticSeed);  // elastic: share of the patch
  } else {
    // The loader thread's own box, reused patch after patch.
    thread_local std::vector<uint8_t> boxImage, boxLabel;
    boxImage.resize(static_cast<size_t>(out.voxels()));
    boxLabel.resize(static_cast<size_t>(out.voxels()));
    const int64_t corner[3] = {s.z, s.y, s.x};
    source_->read(source, s.z, s.y, s.x, P, P, P, boxImage.data(), boxLabel.data());
    markOutside(boxLabel.data(), out, corner, volume);
    gatherPatch(boxImage.data(), boxLabel.data(), out, table_.data(), c.mirror, image, label);
  }
  applyIntensityChain(c, image, out);
}

}  // namespace vwb

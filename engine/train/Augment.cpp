#include "engine/train/Augment.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/core/Error.h"
#include "engine/train/SplitMix.h"

namespace vwb {

const char* augmentPresetName(AugmentPreset p) {
  switch (p) {
    case AugmentPreset::None: return "none";
    case AugmentPreset::Light: return "light";
    case AugmentPreset::NnUnet: return "nnunet";
    case AugmentPreset::Strong: return "strong";
  }
  return "light";
}

AugmentPreset parseAugmentPreset(const std::string& s) {
  for (auto p : {AugmentPreset::None, AugmentPreset::Light, AugmentPreset::NnUnet, AugmentPreset::Strong})
    if (s == augmentPresetName(p)) return p;
  throw Error("unknown augmentation preset '" + s + "' (none, light, nnunet or strong)");
}

AugmentOptions augmentOptions(AugmentPreset p) {
  AugmentOptions o;
  switch (p) {
    case AugmentPreset::None: o.enabled = false; break;
    case AugmentPreset::Light: break;
    case AugmentPreset::NnUnet: o.chain = true; break;
    case AugmentPreset::Strong:
      // The 9th place's additions to nnU-Net's recipe (elastic, illumination, blank boxes).
      o.chain = true;
      o.chainOptions.elasticProbability = 0.2;
      o.chainOptions.illuminationProbability = 0.15;
      o.chainOptions.blankBoxProbability = 0.1;
      break;
  }
  return o;
}

double augmentPatchesPerSecond(AugmentPreset p, int patch) {
  // {128^3, 192^3} per CPU-second of one loader thread (vwb bench-data, see engine/train/README.md).
  double at128 = 0, at192 = 0;
  switch (p) {
    case AugmentPreset::None: at128 = 400, at192 = 140; break;
    case AugmentPreset::Light: at128 = 85, at192 = 50; break;
    case AugmentPreset::NnUnet: at128 = 70, at192 = 18; break;
    case AugmentPreset::Strong: at128 = 56, at192 = 15; break;
  }
  const double v = std::pow(static_cast<double>(std::max(patch, 8)), 3);
  const double v128 = 128.0 * 128 * 128, v192 = 192.0 * 192 * 192;
  if (v <= v128) return at128 * v128 / v;  // time ~ voxels
  if (v >= v192) return at192 * v192 / v;
  const double t = (v - v128) / (v192 - v128);  // seconds per patch, interpolated
  return 1 / ((1 - t) / at128 + t / at192);
}

namespace {

// batchgeneratorsv2's BGContrast: half the draws below 1, half above (when the range spans 1).
double bgContrast(SplitMix& rng, double lo, double hi) {
  if (rng.uniform() < 0.5 && lo < 1) return rng.uniform(lo, 1);
  return rng.uniform(std::max(lo, 1.0), hi);
}

constexpr double kPi = 3.14159265358979323846;

}  // namespace

ChainDraw drawChain(SplitMix& rng, const ChainOptions& o) {
  ChainDraw c;
  c.active = true;
  const bool rotate = rng.chance(o.rotationProbability);
  const bool scale = rng.chance(o.scalingProbability);
  const bool elastic = rng.chance(o.elasticProbability);
  if (rotate)
    for (float& a : c.angles)
      a = static_cast<float>(rng.uniform(-o.maxRotationDegrees, o.maxRotationDegrees) * kPi / 180);
  if (scale) c.scale = static_cast<float>(rng.uniform(o.scaleMin, o.scaleMax));
  if (elastic) c.elastic = static_cast<float>(rng.uniform(0.2, 1.0) * o.elasticMagnitude);
  c.elasticSeed = rng.next();
  c.spatial = rotate || scale || elastic;
  if (rng.chance(o.noiseProbability)) c.noiseSigma = static_cast<float>(rng.uniform(0, o.noiseSigmaMax));
  c.noiseSeed = rng.next();
  if (rng.chance(o.blurProbability))
    for (float& s : c.blurSigma) s = static_cast<float>(rng.uniform(o.blurSigmaMin, o.blurSigmaMax));
  if (rng.chance(o.brightnessProbability))
    c.brightness = static_cast<float>(bgContrast(rng, o.brightnessMin, o.brightnessMax));
  if (rng.chance(o.contrastProbability))
    c.contrast = static_cast<float>(bgContrast(rng, o.contrastMin, o.contrastMax));
  if (rng.chance(o.lowResProbability))
    c.lowResZoom = static_cast<float>(rng.uniform(o.lowResZoomMin, o.lowResZoomMax));
  if (rng.chance(o.invertedGammaProbability))
    c.invertedGamma = static_cast<float>(bgContrast(rng, o.gammaMin, o.gammaMax));
  if (rng.chance(o.gammaProbability)) c.gamma = static_cast<float>(bgContrast(rng, o.gammaMin, o.gammaMax));
  for (bool& m : c.mirror) m = rng.chance(o.mirrorProbability);
  if (rng.chance(o.illuminationProbability))
    c.illumination = static_cast<float>(rng.uniform(0.3, 1.0) * o.illuminationStrength);
  c.illuminationSeed = rng.next();
  if (o.blankBoxesMax > 0 && rng.chance(o.blankBoxProbability))
    c.blankBoxes = 1 + static_cast<int>(rng.below(o.blankBoxesMax));
  c.blankBoxSeed = rng.next();
  return c;
}

// ---- spatial ----------------------------------------------------------------------------------

AffineMap patchAffine(const float angles[3], float scale, const bool mirror[3]) {
  // Axes in (z, y, x) order; rotation about z turns the y-x plane, about y the z-x plane, about x
  // the z-y plane.
  const double cz = std::cos(angles[0]), sz = std::sin(angles[0]);
  const double cy = std::cos(angles[1]), sy = std::sin(angles[1]);
  const double cx = std::cos(angles[2]), sx = std::sin(angles[2]);
  const double rz[3][3] = {{1, 0, 0}, {0, cz, -sz}, {0, sz, cz}};
  const double ry[3][3] = {{cy, 0, sy}, {0, 1, 0}, {-sy, 0, cy}};
  const double rx[3][3] = {{cx, -sx, 0}, {sx, cx, 0}, {0, 0, 1}};
  auto mul = [](const double a[3][3], const double b[3][3], double r[3][3]) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  };
  double t[3][3];
  AffineMap map;
  mul(rz, ry, t);
  mul(t, rx, map.m);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) map.m[i][j] *= scale * (mirror[j] ? -1.0 : 1.0);
  return map;
}

void boxFor(AffineMap& map, const double centre[3], int64_t patch, double margin, int64_t corner[3],
            Dims& box) {
  const double half = static_cast<double>(patch - 1) / 2;
  int64_t size[3];
  for (int a = 0; a < 3; ++a) {
    const double extent = (std::abs(map.m[a][0]) + std::abs(map.m[a][1]) + std::abs(map.m[a][2])) * half + margin;
    // One voxel more on each side: the trilinear neighbour, and float rounding of the coordinates.
    corner[a] = static_cast<int64_t>(std::floor(centre[a] - extent)) - 1;
    size[a] = static_cast<int64_t>(std::floor(centre[a] + extent)) + 2 - corner[a] + 1;
    map.origin[a] = centre[a] - static_cast<double>(corner[a]) -
                    (map.m[a][0] + map.m[a][1] + map.m[a][2]) * half;
  }
  box = {size[0], size[1], size[2]};
}

void markOutside(uint8_t* label, Dims box, const int64_t corner[3], Dims shape) {
  const int64_t y0 = std::clamp<int64_t>(-corner[1], 0, box.h), y1 = std::clamp<int64_t>(shape.h - corner[1], y0, box.h);
  const int64_t x0 = std::clamp<int64_t>(-corner[2], 0, box.w), x1 = std::clamp<int64_t>(shape.w - corner[2], x0, box.w);
  for (int64_t z = 0; z < box.d; ++z) {
    uint8_t* slice = label + z * box.h * box.w;
    const int64_t sz = corner[0] + z;
    if (sz < 0 || sz >= shape.d) {
      std::fill(slice, slice + box.h * box.w, kOutsideLabel);
      continue;
    }
    std::fill(slice, slice + y0 * box.w, kOutsideLabel);
    std::fill(slice + y1 * box.w, slice + box.h * box.w, kOutsideLabel);
    for (int64_t y = y0; y < y1; ++y) {
      std::fill(slice + y * box.w, slice + y * box.w + x0, kOutsideLabel);
      std::fill(slice + y * box.w + x1, slice + (y + 1) * box.w, kOutsideLabel);
    }
  }
}

namespace {

// A smooth random field over a patch: `grid` control points per axis (uniform in [-1, 1], `comps`
// components), smoothstep-interpolated between them. rowOf() gives one output row at a time:
// the y/z interpolation once per row, two taps per voxel.
class SmoothField {
 public:
  SmoothField(Dims d, int grid, int comps, uint64_t seed) : d_(d), g_(grid), comps_(comps) {
    SplitMix rng(seed);
    control_.resize(static_cast<size_t>(comps * grid * grid * grid));
    for (float& c : control_) c = static_cast<float>(rng.uniform(-1, 1));
    axis(d.d, tz_), axis(d.h, ty_), axis(d.w, tx_);
    rowControl_.resize(static_cast<size_t>(grid));
  }
  // Field component `comp` at x in [x0, x1) of the row (z, y), times `scale`, into out[x - x0].
  void rowOf(int64_t z, int64_t y, int comp, float scale, float* out, int64_t x0, int64_t x1) {
    const Tap& a = tz_[static_cast<size_t>(z)];
    const Tap& b = ty_[static_cast<size_t>(y)];
    const float* c = control_.data() + static_cast<size_t>(comp) * g_ * g_ * g_;
    for (int k = 0; k < g_; ++k) {
      auto at = [&](int i, int j) { return c[(i * g_ + j) * g_ + k]; };
      rowControl_[static_cast<size_t>(k)] =
          scale * ((1 - a.t) * ((1 - b.t) * at(a.k, b.k) + b.t * at(a.k, b.k + 1)) +
                   a.t * ((1 - b.t) * at(a.k + 1, b.k) + b.t * at(a.k + 1, b.k + 1)));
    }
    for (int64_t x = x0; x < x1; ++x) {
      const Tap& t = tx_[static_cast<size_t>(x)];
      out[x - x0] = (1 - t.t) * rowControl_[static_cast<size_t>(t.k)] + t.t * rowControl_[static_cast<size_t>(t.k) + 1];
    }
  }
  int comps() const { return comps_; }

 private:
  struct Tap {
    int k;
    float t;
  };
  void axis(int64_t n, std::vector<Tap>& taps) const {
    taps.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      double u = n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) * (g_ - 1) : 0;
      int k = std::min(static_cast<int>(u), g_ - 2);
      double f = u - k;
      taps[static_cast<size_t>(i)] = {k, static_cast<float>(f * f * (3 - 2 * f))};  // smoothstep: C1
    }
  }
  Dims d_;
  int g_, comps_;
  std::vector<float> control_, rowControl_;
  std::vector<Tap> tz_, ty_, tx_;
};

inline int64_t clampIndex(int64_t i, int64_t hi) { return i < 0 ? 0 : (i > hi ? hi : i); }

}  // namespace

namespace {

struct BoxView {
  const uint8_t* image;
  const uint8_t* label;
  Dims box;
};

// Output voxels [x0, x1) of one row, the row's voxel x at box position base + step * x, plus the
// displacement d*[x - x0] where given.
void resampleSpan(const BoxView& b, const float* table, const float base[3], const float step[3], int64_t x0,
                  int64_t x1, const float* ez, const float* ey, const float* ex, float* o, uint8_t* ol,
                  LabelResampling labels) {
  const int64_t sy = b.box.w, sz = b.box.h * b.box.w;
  const int64_t dz = b.box.d - 2, dy = b.box.h - 2, dx = b.box.w - 2;  // last corner with a +1 neighbour
  for (int64_t x = x0; x < x1; ++x) {
    const float xf = static_cast<float>(x);
    float pz = base[0] + step[0] * xf, py = base[1] + step[1] * xf, px = base[2] + step[2] * xf;
    if (ez) {
      const size_t k = static_cast<size_t>(x - x0);
      pz += ez[k], py += ey[k], px += ex[k];
    }
    // Positions are >= 1 by construction (the boxes' margins); the clamp only guards rounding.
    const int64_t iz = clampIndex(static_cast<int64_t>(pz), dz);
    const int64_t iy = clampIndex(static_cast<int64_t>(py), dy);
    const int64_t ix = clampIndex(static_cast<int64_t>(px), dx);
    const float fz = std::clamp(pz - static_cast<float>(iz), 0.0f, 1.0f);
    const float fy = std::clamp(py - static_cast<float>(iy), 0.0f, 1.0f);
    const float fx = std::clamp(px - static_cast<float>(ix), 0.0f, 1.0f);
    const int64_t off = iz * sz + iy * sy + ix;
    const uint8_t* l = b.label + off;
    uint16_t p0, p1, p2, p3;  // the 8 neighbours' labels as four x-pairs
    std::memcpy(&p0, l, 2), std::memcpy(&p1, l + sy, 2), std::memcpy(&p2, l + sz, 2), std::memcpy(&p3, l + sz + sy, 2);
    const uint8_t l0 = l[0];
    const uint8_t* s = b.image + off;
    const bool uniform = ((p0 ^ p1) | (p0 ^ p2) | (p0 ^ p3) | (p0 ^ static_cast<uint16_t>(l0 * 0x0101))) == 0;
    if (uniform && l0 != kOutsideLabel) {  // the common case: one class around the sample
      const float a = table[s[0]] + fx * (table[s[1]] - table[s[0]]);
      const float bb = table[s[sy]] + fx * (table[s[sy + 1]] - table[s[sy]]);
      const float c = table[s[sz]] + fx * (table[s[sz + 1]] - table[s[sz]]);
      const float d = table[s[sz + sy]] + fx * (table[s[sz + sy + 1]] - table[s[sz + sy]]);
      const float e = a + fy * (bb - a), f = c + fy * (d - c);
      o[x] = e + fz * (f - e);
      ol[x] = l0;
      continue;
    }
    if (uniform) {  // wholly outside the volume
      o[x] = 0.0f;
      ol[x] = 2;
      continue;
    }
    // A class boundary: one-hot trilinear weights per class (0, 1, 2, outside) and their argmax
    // (nnU-Net resamples each class's mask and takes the largest); the image counts outside as 0.
    const float w[8] = {(1 - fz) * (1 - fy) * (1 - fx), (1 - fz) * (1 - fy) * fx, (1 - fz) * fy * (1 - fx),
                        (1 - fz) * fy * fx,             fz * (1 - fy) * (1 - fx), fz * (1 - fy) * fx,
                        fz * fy * (1 - fx),             fz * fy * fx};
    const uint8_t ls[8] = {l0, l[1], l[sy], l[sy + 1], l[sz], l[sz + 1], l[sz + sy], l[sz + sy + 1]};
    const int64_t so[8] = {0, 1, sy, sy + 1, sz, sz + 1, sz + sy, sz + sy + 1};
    float classWeight[4] = {0, 0, 0, 0};
    float v = 0;
    for (int k = 0; k < 8; ++k) {
      classWeight[ls[k] & 3] += w[k];
      if (ls[k] != kOutsideLabel) v += w[k] * table[s[so[k]]];
    }
    uint8_t best;
    if (labels == LabelResampling::Nearest) {
      best = ls[(fz >= 0.5f ? 4 : 0) + (fy >= 0.5f ? 2 : 0) + (fx >= 0.5f ? 1 : 0)];
    } else {
      best = 0;
      for (uint8_t k = 1; k < 4; ++k)
        if (classWeight[k] > classWeight[best]) best = k;
    }
    o[x] = v;
    ol[x] = best == kOutsideLabel ? 2 : best;
  }
}

// Box position of output row (z, y)'s voxel 0, and the step per x, for a map and a box corner.
void rowStart(const AffineMap& map, int64_t z, int64_t y, const int64_t corner[3], float base[3], float step[3]) {
  for (int a = 0; a < 3; ++a) {
    base[a] = static_cast<float>(map.origin[a] - static_cast<double>(corner[a]) + map.m[a][0] * static_cast<double>(z) +
                                 map.m[a][1] * static_cast<double>(y));
    step[a] = static_cast<float>(map.m[a][2]);
  }
}

}  // namespace

void resamplePatch(const uint8_t* image, const uint8_t* label, Dims box, const float* table,
                   const AffineMap& map, Dims out, float* outImage, uint8_t* outLabel,
                   LabelResampling labels, float elasticMagnitude, uint64_t elasticSeed) {
  std::unique_ptr<SmoothField> field;
  std::vector<float> ez, ey, ex;
  if (elasticMagnitude > 0) {
    field = std::make_unique<SmoothField>(out, 5, 3, elasticSeed);
    ez.resize(static_cast<size_t>(out.w)), ey.resize(ez.size()), ex.resize(ez.size());
  }
  const BoxView view{image, label, box};
  const int64_t origin[3] = {0, 0, 0};
  for (int64_t z = 0; z < out.d; ++z)
    for (int64_t y = 0; y < out.h; ++y) {
      float base[3], step[3];
      rowStart(map, z, y, origin, base, step);
      if (field) {
        field->rowOf(z, y, 0, elasticMagnitude, ez.data(), 0, out.w);
        field->rowOf(z, y, 1, elasticMagnitude, ey.data(), 0, out.w);
        field->rowOf(z, y, 2, elasticMagnitude, ex.data(), 0, out.w);
      }
      const int64_t row = (z * out.h + y) * out.w;
      resampleSpan(view, table, base, step, 0, out.w, field ? ez.data() : nullptr, ey.data(), ex.data(),
                   outImage + row, outLabel + row, labels);
    }
}

void centreMap(AffineMap& map, const double centre[3], int64_t patch) {
  const double half = static_cast<double>(patch - 1) / 2;
  for (int a = 0; a < 3; ++a) map.origin[a] = centre[a] - (map.m[a][0] + map.m[a][1] + map.m[a][2]) * half;
}

void resamplePatchFrom(const BoxReader& read, const float* table, const AffineMap& map, Dims out,
                       float* outImage, uint8_t* outLabel, LabelResampling labels, float elasticMagnitude,
                       uint64_t elasticSeed, int64_t slabDepth) {
  // Source z of output voxel (z, y, x) before any displacement: a(z, y) + m02 x.
  auto sourceAt = [&](int axis, double z, double y, double x) {
    return map.origin[axis] + map.m[axis][0] * z + map.m[axis][1] * y + map.m[axis][2] * x;
  };
  double zmin = 1e300, zmax = -1e300;
  for (int c = 0; c < 8; ++c) {
    const double v = sourceAt(0, (c & 4) ? double(out.d - 1) : 0, (c & 2) ? double(out.h - 1) : 0,
                              (c & 1) ? double(out.w - 1) : 0);
    zmin = std::min(zmin, v), zmax = std::max(zmax, v);
  }
  const int64_t D = std::max<int64_t>(1, slabDepth);
  const double z0 = std::floor(zmin);
  const int64_t slabs = static_cast<int64_t>((zmax - z0) / static_cast<double>(D)) + 1;
  struct Segment {
    int64_t row, x0, x1;
  };
  thread_local std::vector<std::vector<Segment>> bySlab;
  bySlab.resize(static_cast<size_t>(slabs));
  for (auto& v : bySlab) v.clear();
  const double b = map.m[0][2];
  auto slabOf = [&](double v) {
    return std::clamp<int64_t>(static_cast<int64_t>(std::floor((v - z0) / static_cast<double>(D))), 0, slabs - 1);
  };
  // Each row's voxels split by slab: the source z is a line in x, so each slab holds one run.
  for (int64_t z = 0; z < out.d; ++z)
    for (int64_t y = 0; y < out.h; ++y) {
      const int64_t row = z * out.h + y;
      const double a = sourceAt(0, double(z), double(y), 0);
      const int64_t k0 = slabOf(a), k1 = slabOf(a + b * static_cast<double>(out.w - 1));
      int64_t x = 0;
      for (int64_t k = k0;; k += (k1 > k0 ? 1 : -1)) {
        int64_t end = out.w;
        if (k != k1) {  // first x in the next slab
          const double boundary = z0 + static_cast<double>(D) * static_cast<double>(k1 > k0 ? k + 1 : k);
          const double t = (boundary - a) / b;
          end = std::clamp<int64_t>(k1 > k0 ? static_cast<int64_t>(std::ceil(t)) : static_cast<int64_t>(std::floor(t)) + 1,
                                    x, out.w);
        }
        if (end > x) bySlab[static_cast<size_t>(k)].push_back({row, x, end});
        x = end;
        if (k == k1) break;
      }
    }
  // The +1 trilinear neighbour is inside floor(hi) + 1; one voxel more absorbs float rounding.
  const int64_t margin = static_cast<int64_t>(std::ceil(elasticMagnitude)) + 1;
  std::unique_ptr<SmoothField> field;
  thread_local std::vector<float> ez, ey, ex;
  if (elasticMagnitude > 0) {
    field = std::make_unique<SmoothField>(out, 5, 3, elasticSeed);
    ez.resize(static_cast<size_t>(out.w)), ey.resize(ez.size()), ex.resize(ez.size());
  }
  thread_local std::vector<uint8_t> boxImage, boxLabel;
  for (const auto& segments : bySlab) {
    if (segments.empty()) continue;
    // The box of this slab's part of the footprint: each run's ends are its extremes (lines).
    double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
    for (const Segment& g : segments) {
      const double z = double(g.row / out.h), y = double(g.row % out.h);
      for (double x : {double(g.x0), double(g.x1 - 1)})
        for (int a = 0; a < 3; ++a) {
          const double v = sourceAt(a, z, y, x);
          lo[a] = std::min(lo[a], v), hi[a] = std::max(hi[a], v);
        }
    }
    int64_t corner[3];
    Dims box;
    int64_t size[3];
    for (int a = 0; a < 3; ++a) {
      corner[a] = static_cast<int64_t>(std::floor(lo[a])) - margin;
      size[a] = static_cast<int64_t>(std::floor(hi[a])) + margin + 1 - corner[a] + 1;  // up to floor(hi) + margin + 1
    }
    box = {size[0], size[1], size[2]};
    boxImage.resize(static_cast<size_t>(box.voxels()));
    boxLabel.resize(static_cast<size_t>(box.voxels()));
    read(corner, box, boxImage.data(), boxLabel.data());
    const BoxView view{boxImage.data(), boxLabel.data(), box};
    for (const Segment& g : segments) {
      const int64_t z = g.row / out.h, y = g.row % out.h;
      float base[3], step[3];
      rowStart(map, z, y, corner, base, step);
      if (field) {
        field->rowOf(z, y, 0, elasticMagnitude, ez.data(), g.x0, g.x1);
        field->rowOf(z, y, 1, elasticMagnitude, ey.data(), g.x0, g.x1);
        field->rowOf(z, y, 2, elasticMagnitude, ex.data(), g.x0, g.x1);
      }
      resampleSpan(view, table, base, step, g.x0, g.x1, field ? ez.data() : nullptr, ey.data(), ex.data(),
                   outImage + g.row * out.w, outLabel + g.row * out.w, labels);
    }
  }
}

void gatherPatch(const uint8_t* image, const uint8_t* label, Dims box, const float* table,
                 const bool mirror[3], float* outImage, uint8_t* outLabel) {
  for (int64_t z = 0; z < box.d; ++z)
    for (int64_t y = 0; y < box.h; ++y) {
      const int64_t srcZ = mirror[0] ? box.d - 1 - z : z, srcY = mirror[1] ? box.h - 1 - y : y;
      const uint8_t* s = image + (srcZ * box.h + srcY) * box.w;
      const uint8_t* l = label + (srcZ * box.h + srcY) * box.w;
      float* o = outImage + (z * box.h + y) * box.w;
      uint8_t* ol = outLabel + (z * box.h + y) * box.w;
      for (int64_t x = 0; x < box.w; ++x) {
        const int64_t sx = mirror[2] ? box.w - 1 - x : x;
        const bool outside = l[sx] == kOutsideLabel;
        o[x] = outside ? 0.0f : table[s[sx]];
        ol[x] = outside ? 2 : l[sx];
      }
    }
}

// ---- intensity --------------------------------------------------------------------------------

namespace {

// Standard normal deviates from 32 random bits: the quantile function tabulated at 4096 equal
// probability steps and interpolated linearly (tails cut at 1/20000), rescaled to unit variance.
// Four times faster than Box-Muller; the distribution differs from a Gaussian only beyond ~3.9 sigma.
class NormalTable {
 public:
  NormalTable() {
    auto quantile = [](double p) {  // bisection on the CDF: exact to 1e-12, run once
      double lo = -10, hi = 10;
      for (int i = 0; i < 80; ++i) {
        double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
      }
      return 0.5 * (lo + hi);
    };
    for (int k = 0; k <= kN; ++k)
      t_[static_cast<size_t>(k)] = quantile(std::clamp(static_cast<double>(k) / kN, 5e-5, 1 - 5e-5));
    double variance = 0;  // of the piecewise-uniform distribution the table draws from
    for (int k = 0; k < kN; ++k) {
      double a = t_[static_cast<size_t>(k)], b = t_[static_cast<size_t>(k) + 1];
      variance += (a * a + a * b + b * b) / 3;
    }
    const double s = 1 / std::sqrt(variance / kN);
    for (int k = 0; k <= kN; ++k) f_[static_cast<size_t>(k)] = static_cast<float>(t_[static_cast<size_t>(k)] * s);
  }
  float operator()(uint32_t u) const {
    const uint32_t k = u >> 20;
    const float frac = static_cast<float>(u & 0xFFFFF) * (1.0f / 1048576.0f);
    return f_[k] + frac * (f_[k + 1] - f_[k]);
  }

 private:
  static constexpr int kN = 4096;
  std::array<double, kN + 1> t_{};
  std::array<float, kN + 1> f_{};
};

const NormalTable& normalTable() {
  static const NormalTable table;
  return table;
}

struct Stats {
  float min = 0, max = 0;
  double mean = 0, std = 0;
};

Stats statsOf(const float* v, int64_t n, bool withStd) {
  Stats s;
  if (n == 0) return s;
  float lo = v[0], hi = v[0];
  double sum = 0, sumSq = 0;
  constexpr int64_t kBlock = 4096;  // float partial sums per block, double across blocks
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    float bs = 0, bq = 0;
    for (int64_t i = b; i < e; ++i) {
      lo = std::min(lo, v[i]);
      hi = std::max(hi, v[i]);
      bs += v[i];
      if (withStd) bq += v[i] * v[i];
    }
    sum += bs, sumSq += bq;
  }
  s.min = lo, s.max = hi;
  s.mean = sum / static_cast<double>(n);
  if (withStd && n > 1)
    s.std = std::sqrt(std::max(0.0, (sumSq - sum * s.mean) / static_cast<double>(n - 1)));
  return s;
}

// One separable pass along `axis` (0 z, 1 y, 2 x): out[i] = sum_k weight[i][k] * in[index[i][k]]
// with `taps` taps per output position.
void filterAxis(float* v, Dims d, int axis, int taps, const std::vector<int64_t>& index,
                const std::vector<float>& weight) {
  thread_local std::vector<float> tmp;
  if (axis == 2) {
    tmp.resize(static_cast<size_t>(d.w));
    for (int64_t r = 0; r < d.d * d.h; ++r) {
      float* row = v + r * d.w;
      std::copy(row, row + d.w, tmp.begin());
      for (int64_t x = 0; x < d.w; ++x) {
        float acc = 0;
        for (int k = 0; k < taps; ++k)
          acc += weight[static_cast<size_t>(x * taps + k)] * tmp[static_cast<size_t>(index[static_cast<size_t>(x * taps + k)])];
        row[x] = acc;
      }
    }
    return;
  }
  // y: one slice at a time; z: the whole patch. Rows are combined whole (vectorizable).
  const int64_t stride = axis == 1 ? d.w : d.h * d.w;
  const int64_t count = axis == 1 ? d.h : d.d;
  const int64_t blocks = axis == 1 ? d.d : 1;
  tmp.resize(static_cast<size_t>(count * stride));
  for (int64_t b = 0; b < blocks; ++b) {
    float* base = v + b * count * stride;
    std::copy(base, base + count * stride, tmp.begin());
    for (int64_t i = 0; i < count; ++i) {
      float* out = base + i * stride;
      std::fill(out, out + stride, 0.0f);
      for (int k = 0; k < taps; ++k) {
        const float w = weight[static_cast<size_t>(i * taps + k)];
        const float* in = tmp.data() + index[static_cast<size_t>(i * taps + k)] * stride;
        for (int64_t j = 0; j < stride; ++j) out[j] += w * in[j];
      }
    }
  }
}

}  // namespace

void addGaussianNoise(float* v, int64_t n, float sigma, uint64_t seed) {
  const NormalTable& normal = normalTable();
  SplitMix rng(seed);
  int64_t i = 0;
  for (; i + 1 < n; i += 2) {
    const uint64_t r = rng.next();
    v[i] += sigma * normal(static_cast<uint32_t>(r));
    v[i + 1] += sigma * normal(static_cast<uint32_t>(r >> 32));
  }
  if (i < n) v[i] += sigma * normal(static_cast<uint32_t>(rng.next()));
}

void gaussianBlur(float* v, Dims d, const float sigma[3]) {
  const int64_t extent[3] = {d.d, d.h, d.w};
  for (int axis = 0; axis < 3; ++axis) {
    if (sigma[axis] <= 0) continue;
    const int radius = static_cast<int>(std::ceil(3 * sigma[axis]));
    const int taps = 2 * radius + 1;
    std::vector<float> kernel(static_cast<size_t>(taps));
    float sum = 0;
    for (int k = -radius; k <= radius; ++k)
      sum += kernel[static_cast<size_t>(k + radius)] = std::exp(-0.5f * k * k / (sigma[axis] * sigma[axis]));
    for (float& k : kernel) k /= sum;
    const int64_t n = extent[axis];
    std::vector<int64_t> index(static_cast<size_t>(n * taps));
    std::vector<float> weight(index.size());
    for (int64_t i = 0; i < n; ++i)
      for (int k = 0; k < taps; ++k) {
        index[static_cast<size_t>(i * taps + k)] = clampIndex(i + k - radius, n - 1);
        weight[static_cast<size_t>(i * taps + k)] = kernel[static_cast<size_t>(k)];
      }
    filterAxis(v, d, axis, taps, index, weight);
  }
}

void multiplyBrightness(float* v, int64_t n, float factor) {
  for (int64_t i = 0; i < n; ++i) v[i] *= factor;
}

void adjustContrast(float* v, int64_t n, float factor) {
  const Stats s = statsOf(v, n, false);
  const float mean = static_cast<float>(s.mean);
  for (int64_t i = 0; i < n; ++i) v[i] = std::clamp((v[i] - mean) * factor + mean, s.min, s.max);
}

void simulateLowResolution(float* v, Dims d, float zoom) {
  const int64_t extent[3] = {d.d, d.h, d.w};
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t n = extent[axis];
    const int64_t low = std::max<int64_t>(1, std::llround(static_cast<double>(n) * zoom));
    if (low == n) continue;
    // nearest-exact down: low-res sample j reads floor((j + 0.5) * n / low); trilinear up
    // (align_corners false): output i reads low-res position (i + 0.5) * low / n - 0.5.
    auto down = [&](int64_t j) {
      return std::min<int64_t>(n - 1, static_cast<int64_t>((static_cast<double>(j) + 0.5) * static_cast<double>(n) / static_cast<double>(low)));
    };
    std::vector<int64_t> index(static_cast<size_t>(2 * n));
    std::vector<float> weight(index.size());
    for (int64_t i = 0; i < n; ++i) {
      double p = (static_cast<double>(i) + 0.5) * static_cast<double>(low) / static_cast<double>(n) - 0.5;
      p = std::clamp(p, 0.0, static_cast<double>(low - 1));
      const int64_t j0 = static_cast<int64_t>(p), j1 = std::min(j0 + 1, low - 1);
      const double t = p - static_cast<double>(j0);
      index[static_cast<size_t>(2 * i)] = down(j0), index[static_cast<size_t>(2 * i + 1)] = down(j1);
      weight[static_cast<size_t>(2 * i)] = static_cast<float>(1 - t), weight[static_cast<size_t>(2 * i + 1)] = static_cast<float>(t);
    }
    filterAxis(v, d, axis, 2, index, weight);
  }
}

void gammaKeepStats(float* v, int64_t n, float gamma, bool invert) {
  if (n < 2) return;
  // On the inverted image w = -v: its min is -max, its mean -mean, its std the same.
  const Stats s = statsOf(v, n, true);
  const float sign = invert ? -1.0f : 1.0f;
  const float lo = invert ? -s.max : s.min;
  const float range = std::max(s.max - s.min, 1e-7f);
  // t^gamma tabulated at 8192 steps of [0, 1] and interpolated: the worst error (next to 0 for
  // gamma < 1) is ~1e-3 of the range, below half a step of the 8-bit data it comes from.
  constexpr int kSteps = 8192;
  static thread_local std::array<float, kSteps + 2> table;
  for (int k = 0; k <= kSteps; ++k)
    table[static_cast<size_t>(k)] = static_cast<float>(std::pow(static_cast<double>(k) / kSteps, static_cast<double>(gamma)));
  table[kSteps + 1] = table[kSteps];
  double sum = 0, sumSq = 0;
  constexpr int64_t kBlock = 4096;
  const float toSteps = kSteps / range;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    float bs = 0, bq = 0;
    for (int64_t i = b; i < e; ++i) {
      const float u = std::clamp((sign * v[i] - lo) * toSteps, 0.0f, static_cast<float>(kSteps));
      const int k = static_cast<int>(u);
      const float g = table[static_cast<size_t>(k)] + (u - static_cast<float>(k)) * (table[static_cast<size_t>(k) + 1] - table[static_cast<size_t>(k)]);
      const float w = g * range + lo;
      v[i] = w;
      bs += w, bq += w * w;
    }
    sum += bs, sumSq += bq;
  }
  const double meanHere = sum / static_cast<double>(n);
  const double stdHere = std::sqrt(std::max(0.0, (sumSq - sum * meanHere) / static_cast<double>(n - 1)));
  const float k = static_cast<float>(s.std / std::max(stdHere, 1e-7));
  const float target = sign * static_cast<float>(s.mean), shift = static_cast<float>(meanHere);
  for (int64_t i = 0; i < n; ++i) v[i] = sign * ((v[i] - shift) * k + target);
}

void illuminate(float* v, Dims d, float strength, uint64_t seed) {
  SmoothField field(d, 4, 1, seed);
  std::vector<float> row(static_cast<size_t>(d.w));
  for (int64_t z = 0; z < d.d; ++z)
    for (int64_t y = 0; y < d.h; ++y) {
      field.rowOf(z, y, 0, strength, row.data(), 0, d.w);
      float* r = v + (z * d.h + y) * d.w;
      for (int64_t x = 0; x < d.w; ++x) r[x] *= 1 + row[static_cast<size_t>(x)];
    }
}

void blankBoxes(float* v, Dims d, int count, uint64_t seed) {
  const float mean = static_cast<float>(statsOf(v, d.voxels(), false).mean);
  SplitMix rng(seed);
  const int64_t extent[3] = {d.d, d.h, d.w};
  for (int b = 0; b < count; ++b) {
    int64_t lo[3], hi[3];
    for (int a = 0; a < 3; ++a) {
      const int64_t size = std::max<int64_t>(1, static_cast<int64_t>(rng.uniform(0.1, 0.25) * static_cast<double>(extent[a])));
      lo[a] = rng.below(extent[a] - size + 1);
      hi[a] = lo[a] + size;
    }
    for (int64_t z = lo[0]; z < hi[0]; ++z)
      for (int64_t y = lo[1]; y < hi[1]; ++y) {
        float* r = v + (z * d.h + y) * d.w;
        std::fill(r + lo[2], r + hi[2], mean);
      }
  }
}

void applyIntensityChain(const ChainDraw& c, float* image, Dims d) {
  const int64_t n = d.voxels();
  if (c.noiseSigma > 0) addGaussianNoise(image, n, c.noiseSigma, c.noiseSeed);
  if (c.blurSigma[0] > 0 || c.blurSigma[1] > 0 || c.blurSigma[2] > 0) gaussianBlur(image, d, c.blurSigma);
  if (c.brightness != 1) multiplyBrightness(image, n, c.brightness);
  if (c.contrast != 1) adjustContrast(image, n, c.contrast);
  if (c.lowResZoom < 1) simulateLowResolution(image, d, c.lowResZoom);
  if (c.invertedGamma != 1) gammaKeepStats(image, n, c.invertedGamma, true);
  if (c.gamma != 1) gammaKeepStats(image, n, c.gamma, false);
  if (c.illumination > 0) illuminate(image, d, c.illumination, c.illuminationSeed);
  if (c.blankBoxes > 0) blankBoxes(image, d, c.blankBoxes, c.blankBoxSeed);
}

}  // namespace vwb

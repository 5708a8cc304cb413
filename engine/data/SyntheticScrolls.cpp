// The synthetic scroll generator (see SyntheticScrolls.h for the model).
#include "engine/data/SyntheticScrolls.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "engine/core/Error.h"
#include "engine/data/detail/RandomFields.h"

namespace vwb {

using detail::Rng;
using detail::SmoothField;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Vec3 {
  double z = 0, y = 0, x = 0;
  Vec3 operator-(const Vec3& o) const { return {z - o.z, y - o.y, x - o.x}; }
  Vec3 operator*(double s) const { return {z * s, y * s, x * s}; }
  double dot(const Vec3& o) const { return z * o.z + y * o.y + x * o.x; }
  Vec3 cross(const Vec3& o) const { return {y * o.x - x * o.y, x * o.z - z * o.x, z * o.y - y * o.z}; }
  Vec3 unit() const { return *this * (1.0 / std::sqrt(dot(*this))); }
};

double maxSide(Shape3 s) { return double(std::max({s.d, s.h, s.w})); }

// A small bright fragment that is not papyrus (label 0), or an unlabeled region (label 2).
struct Blob {
  Vec3 centre, radius;
  double brightness = 0;
};

// Everything random about one volume, drawn once from the seed.
struct ScrollModel {
  Vec3 axis, e1, e2, centre, volumeCentre;
  double coreRadius = 0, outerRadius = 0, pitch = 0, phase = 0, halfThickness = 0, deformAmp = 0;
  double air = 0, paper = 0, noiseSigma = 0, shadingAmp = 0, gradientAmp = 0;
  Vec3 gradientDir;
  double fibreAmp = 0, fibrePeriodRecto = 0, fibrePeriodVerso = 0, holeThreshold = 0, size = 0;
  double grainAmp = 0, squeeze = 0;
  std::vector<Blob> debris, unlabeled;
  uint64_t seed = 0;
  SmoothField deform, holes, shading, wobble, grain;
  // Varies quickly across the wraps and slowly along them: neighbouring wraps move independently,
  // so the gap between them narrows (sheets nearly touching, the hard case in real scrolls) and
  // widens. Sampled at (radius, in-plane position, axial position) scaled to cells; no seams.
  SmoothField spacing;

  ScrollModel(Shape3 s, uint64_t seed)
      : seed(seed),
        deform(double(s.d), double(s.h), double(s.w), 28, detail::hashKey(seed, 1)),
        holes(double(s.d), double(s.h), double(s.w), 14, detail::hashKey(seed, 2)),
        shading(double(s.d), double(s.h), double(s.w), 40, detail::hashKey(seed, 3)),
        wobble(double(s.d), double(s.h), double(s.w), 6, detail::hashKey(seed, 4)),
        grain(double(s.d), double(s.h), double(s.w), 2.5, detail::hashKey(seed, 5)),
        // Radii reach (2.0 + 0.87) * size (axis offset + half diagonal), so the coordinates in
        // evaluate() stay within 2.87 * size / (1.5 * 6.5) and (2.87 + 0.6 * 0.87 + 3.5) * size / 20.
        spacing(0.3 * maxSide(s) + 4, 0.35 * maxSide(s) + 4, 0.35 * maxSide(s) + 4, 1, detail::hashKey(seed, 6)) {}
};

Vec3 randomDirection(Rng& rng) {
  double z = rng.uniform(-1, 1), phi = rng.uniform(0, 2 * kPi), r = std::sqrt(1 - z * z);
  return {z, r * std::sin(phi), r * std::cos(phi)};
}

ScrollModel makeModel(Shape3 s, uint64_t seed) {
  Rng rng(seed);
  ScrollModel m(s, seed);
  m.size = maxSide(s);
  m.volumeCentre = {s.d / 2.0, s.h / 2.0, s.w / 2.0};
  // Axis roughly along z (scrolls are scanned standing), tilted up to ~25 degrees.
  double tilt = rng.uniform(0, 0.45), azimuth = rng.uniform(0, 2 * kPi);
  m.axis = Vec3{std::cos(tilt), std::sin(tilt) * std::sin(azimuth), std::sin(tilt) * std::cos(azimuth)}.unit();
  Vec3 helper = std::abs(m.axis.x) < 0.9 ? Vec3{0, 0, 1} : Vec3{0, 1, 0};
  m.e1 = m.axis.cross(helper).unit();
  m.e2 = m.axis.cross(m.e1).unit();
  // The scroll's centre line passes beside (sometimes through) the volume; far away the sheets
  // are gently curved, close by they wrap tightly.
  double offset = m.size * rng.uniform(0.2, 2.0), angle = rng.uniform(0, 2 * kPi);
  Vec3 shift = m.e1 * (offset * std::cos(angle));
  Vec3 shift2 = m.e2 * (offset * std::sin(angle));
  m.centre = {m.volumeCentre.z + shift.z + shift2.z, m.volumeCentre.y + shift.y + shift2.y,
              m.volumeCentre.x + shift.x + shift2.x};
  m.pitch = rng.uniform(6.5, 12.0);
  m.phase = rng.uniform(0, 1);
  m.coreRadius = std::min(m.pitch * rng.uniform(1.0, 2.5), 0.2 * m.size);  // small volumes: still sheets
  m.outerRadius = offset + m.size * rng.uniform(0.25, 1.1);
  m.halfThickness = rng.uniform(0.9, 1.25);
  m.deformAmp = m.pitch * rng.uniform(0.2, 0.4);
  m.air = rng.uniform(35, 75);
  m.paper = rng.uniform(120, 175);
  m.noiseSigma = rng.uniform(12, 22);
  m.grainAmp = rng.uniform(5, 12);
  m.squeeze = m.pitch * rng.uniform(0.2, 0.32);
  m.shadingAmp = rng.uniform(0.05, 0.15);
  m.gradientAmp = rng.uniform(0, 0.25);
  m.gradientDir = randomDirection(rng);
  m.fibreAmp = rng.uniform(0.08, 0.18);
  m.fibrePeriodRecto = rng.uniform(2.5, 4.5);
  m.fibrePeriodVerso = rng.uniform(2.5, 4.5);
  m.holeThreshold = rng.uniform(0.5, 0.7);
  const double volumeScale = double(s.voxels()) / (128.0 * 128.0 * 128.0);
  int debris = int(std::lround(rng.uniform(6, 14) * volumeScale));
  for (int i = 0; i < debris; ++i) {
    double r = rng.uniform(1.2, 2.6);
    m.debris.push_back({{rng.uniform(0, s.d), rng.uniform(0, s.h), rng.uniform(0, s.w)},
                        {r, r * rng.uniform(0.7, 1.4), r * rng.uniform(0.7, 1.4)},
                        m.paper * rng.uniform(0.85, 1.15)});
  }
  int unlabeled = rng.integer(1, 3);
  for (int i = 0; i < unlabeled; ++i)
    m.unlabeled.push_back({{rng.uniform(0, s.d), rng.uniform(0, s.h), rng.uniform(0, s.w)},
                           {s.d * rng.uniform(0.06, 0.16), s.h * rng.uniform(0.06, 0.16), s.w * rng.uniform(0.06, 0.16)},
                           0});
  return m;
}

bool insideEllipsoid(const Blob& b, double z, double y, double x) {
  double dz = (z - b.centre.z) / b.radius.z, dy = (y - b.centre.y) / b.radius.y, dx = (x - b.centre.x) / b.radius.x;
  return dz * dz + dy * dy + dx * dx <= 1;
}

// One voxel: intensity before noise, and whether it is papyrus surface.
struct Voxel {
  double value;
  bool sheet;
};

// `debris`: the blobs that may cover this row (checking all of them for every voxel is what
// made large volumes slow).
Voxel evaluate(const ScrollModel& m, const std::vector<const Blob*>& debris, double z, double y, double x) {
  const Vec3 p = Vec3{z, y, x} - m.centre;
  const double t = p.dot(m.axis), a = p.dot(m.e1), b = p.dot(m.e2);
  const double r = std::sqrt(a * a + b * b), theta = std::atan2(b, a);
  const double across = r / (1.5 * m.pitch), along = 3.5 * m.size;  // along: keeps coordinates positive
  const double rr = r + m.deformAmp * m.deform.at(z, y, x) +
                    m.squeeze * m.spacing.at(across, (a + 0.6 * t + along) / 20, (b - 0.6 * t + along) / 20);
  // Wraps are the integer level sets of u: r grows by one pitch per turn.
  const double u = (rr - m.coreRadius) / m.pitch - theta / (2 * kPi) + m.phase;
  const double wrap = std::round(u), d = (u - wrap) * m.pitch;  // d: signed distance across the sheet
  Voxel v{m.air, false};
  const bool inScroll = rr > m.coreRadius && rr < m.outerRadius;
  if (inScroll && std::abs(d) < m.halfThickness + 2.5 && m.holes.at(z, y, x) < m.holeThreshold) {
    // Papyrus: two fibre layers at right angles (recto fibres run around the scroll, verso fibres
    // along it), a per-wrap brightness, and a soft edge like a CT's point spread.
    const double wob = 1.5 * m.wobble.at(z, y, x);
    // Verso fibres: a whole number of periods per turn, so the pattern has no seam at theta = pi.
    const double turns = std::max(1.0, std::round(2 * kPi * std::max(r - d, 1.0) / m.fibrePeriodVerso));
    const double fibre = d < 0 ? std::sin(2 * kPi * t / m.fibrePeriodRecto + wob)
                               : std::sin(turns * theta + wob);
    const double wrapBrightness = 1 + 0.12 * (2 * detail::toUnit(detail::hashKey(m.seed, uint64_t(int64_t(wrap) + (1 << 20)))) - 1);
    const double density = 1 / (1 + std::exp((std::abs(d) - m.halfThickness) / 0.4));
    v.value += (m.paper * wrapBrightness * (1 + m.fibreAmp * fibre) - m.air) * density;
    v.sheet = std::abs(d) <= m.halfThickness;
  }
  for (const Blob* blob : debris)
    if (insideEllipsoid(*blob, z, y, x)) v.value = std::max(v.value, blob->brightness);
  // Beam hardening and uneven illumination: smooth shading plus a linear gradient.
  const Vec3 q = Vec3{z, y, x} - m.volumeCentre;
  v.value *= 1 + m.shadingAmp * m.shading.at(z, y, x) + m.gradientAmp * q.dot(m.gradientDir) / m.size;
  v.value += m.grainAmp * m.grain.at(z, y, x);  // CT noise is spatially correlated, not only white
  return v;
}

void generateSlices(const ScrollModel& m, Shape3 s, int64_t z0, int64_t z1, SyntheticVolume& out) {
  std::vector<const Blob*> row;
  for (int64_t z = z0; z < z1; ++z)
    for (int64_t y = 0; y < s.h; ++y) {
      row.clear();
      for (const Blob& b : m.debris)
        if (std::abs(double(z) - b.centre.z) <= b.radius.z && std::abs(double(y) - b.centre.y) <= b.radius.y)
          row.push_back(&b);
      for (int64_t x = 0; x < s.w; ++x) {
        const size_t i = out.image.index(z, y, x);
        Voxel v = evaluate(m, row, double(z), double(y), double(x));
        double value = v.value + m.noiseSigma * detail::voxelNoise(m.seed, i);
        out.image.data[i] = static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
        out.label.data[i] = v.sheet ? 1 : 0;
      }
    }
}

// Label 2 ("not annotated"): a 3-voxel border, as in the competition labels, and a few blobs.
void markUnlabeled(const ScrollModel& m, SyntheticVolume& out) {
  const Shape3 s = out.label.shape;
  const int64_t border = 3;
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x) {
        bool edge = z < border || y < border || x < border || z >= s.d - border || y >= s.h - border ||
                    x >= s.w - border;
        if (edge) out.label.at(z, y, x) = 2;
      }
  for (const Blob& b : m.unlabeled) {
    auto lo = [](double c, double r) { return std::max<int64_t>(0, int64_t(std::floor(c - r))); };
    auto hi = [](double c, double r, int64_t n) { return std::min<int64_t>(n - 1, int64_t(std::ceil(c + r))); };
    for (int64_t z = lo(b.centre.z, b.radius.z); z <= hi(b.centre.z, b.radius.z, s.d); ++z)
      for (int64_t y = lo(b.centre.y, b.radius.y); y <= hi(b.centre.y, b.radius.y, s.h); ++y)
        for (int64_t x = lo(b.centre.x, b.radius.x); x <= hi(b.centre.x, b.radius.x, s.w); ++x)
          if (insideEllipsoid(b, double(z), double(y), double(x))) out.label.at(z, y, x) = 2;
  }
}

}  // namespace

SyntheticVolume generateSyntheticVolume(Shape3 shape, uint64_t seed, int threads) {
  if (shape.empty()) throw Error("synthetic volume: empty shape " + shape.str());
  const ScrollModel model = makeModel(shape, seed);
  SyntheticVolume out{VolumeU8(shape), VolumeU8(shape)};
  int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  n = int(std::min<int64_t>(n, shape.d));
  // Every voxel depends only on its coordinates and the seed, so any split gives the same volume.
  std::vector<std::thread> workers;
  for (int i = 1; i < n; ++i)
    workers.emplace_back(generateSlices, std::cref(model), shape, shape.d * i / n, shape.d * (i + 1) / n,
                         std::ref(out));
  generateSlices(model, shape, 0, shape.d / n, out);
  for (auto& w : workers) w.join();
  markUnlabeled(model, out);
  return out;
}

}  // namespace vwb

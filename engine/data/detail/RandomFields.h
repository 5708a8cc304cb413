#pragma once
// Private to engine/data: random numbers that depend only on (seed, key), never on call order, so
// the synthetic generator gives identical volumes whatever the number of threads. Hand-written
// rather than <random>: std distributions differ between standard libraries.
#include <cmath>
#include <cstdint>
#include <vector>

namespace vwb::detail {

// SplitMix64's finaliser: a good 64-bit mix of one word.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
inline uint64_t hashKey(uint64_t seed, uint64_t key) { return mix64(seed ^ mix64(key)); }
inline double toUnit(uint64_t h) { return double(h >> 11) * 0x1.0p-53; }  // [0, 1)

// A sequential stream for per-volume parameters.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { return mix64(state_++ * 0x9e3779b97f4a7c15ull); }
  double uniform(double lo = 0, double hi = 1) { return lo + (hi - lo) * toUnit(next()); }
  int integer(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }  // inclusive

 private:
  uint64_t state_;
};

// Approximately standard-normal noise for one voxel (sum of four uniforms from one hash).
inline float voxelNoise(uint64_t seed, uint64_t index) {
  uint64_t h = hashKey(seed, index);
  float s = 0;
  for (int i = 0; i < 4; ++i, h >>= 16) s += float(h & 0xffff) * (1.0f / 65536.0f);
  return (s - 2.0f) * 1.7320508f;  // variance of the sum is 4/12
}

// Smooth noise in [-1, 1]: random values on a lattice of spacing `cell`, interpolated
// trilinearly with a smoothstep. The lattice covers [-cell, extent + cell] on each axis.
class SmoothField {
 public:
  SmoothField(double extentZ, double extentY, double extentX, double cell, uint64_t seed)
      : cell_(cell),
        nz_(int(extentZ / cell) + 4), ny_(int(extentY / cell) + 4), nx_(int(extentX / cell) + 4),
        values_(size_t(nz_) * ny_ * nx_) {
    for (size_t i = 0; i < values_.size(); ++i) values_[i] = float(2 * toUnit(hashKey(seed, i)) - 1);
  }

  float at(double z, double y, double x) const {
    double fz = z / cell_ + 1, fy = y / cell_ + 1, fx = x / cell_ + 1;
    int iz = clampIndex(fz, nz_), iy = clampIndex(fy, ny_), ix = clampIndex(fx, nx_);
    float tz = smooth(fz - iz), ty = smooth(fy - iy), tx = smooth(fx - ix);
    auto v = [&](int dz, int dy, int dx) { return values_[(size_t(iz + dz) * ny_ + (iy + dy)) * nx_ + ix + dx]; };
    auto lerp = [](float a, float b, float t) { return a + (b - a) * t; };
    float c00 = lerp(v(0, 0, 0), v(0, 0, 1), tx), c01 = lerp(v(0, 1, 0), v(0, 1, 1), tx);
    float c10 = lerp(v(1, 0, 0), v(1, 0, 1), tx), c11 = lerp(v(1, 1, 0), v(1, 1, 1), tx);
    return lerp(lerp(c00, c01, ty), lerp(c10, c11, ty), tz);
  }

 private:
  static int clampIndex(double f, int n) {
    int i = int(std::floor(f));
    return i < 0 ? 0 : i > n - 2 ? n - 2 : i;
  }
  static float smooth(double t) {
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return float(t * t * (3 - 2 * t));
  }

  double cell_;
  int nz_, ny_, nx_;
  std::vector<float> values_;
};

}  // namespace vwb::detail

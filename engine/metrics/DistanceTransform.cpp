#include "engine/metrics/DistanceTransform.h"

#include <limits>

namespace vwb {

namespace {

// Scratch buffers of one 1D transform, allocated once per pass.
struct LineScratch {
  std::vector<int32_t> f, out, v;
  std::vector<double> z;
  explicit LineScratch(int64_t n)
      : f(static_cast<size_t>(n)), out(f.size()), v(f.size()), z(f.size() + 1) {}
};

// out[q] = min_p (q-p)^2 + f[p] over the finite f[p]; kNoFeature where all are infinite.
void transformLine(LineScratch& s, int64_t n, int32_t bound) {
  const int32_t* f = s.f.data();
  int32_t* v = s.v.data();
  double* z = s.z.data();
  const double inf = std::numeric_limits<double>::infinity();
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    if (f[q] == kNoFeature) continue;
    const double fq = static_cast<double>(f[q]) + static_cast<double>(q) * q;
    if (k < 0) {
      k = 0, v[0] = static_cast<int32_t>(q), z[0] = -inf, z[1] = inf;
      continue;
    }
    double sIntersect;
    while (true) {
      const int64_t p = v[k];
      sIntersect = (fq - (static_cast<double>(f[p]) + static_cast<double>(p) * p)) / (2.0 * (q - p));
      if (sIntersect > z[k]) break;
      --k;  // z[0] = -inf, so k never drops below 0
    }
    ++k;
    v[k] = static_cast<int32_t>(q), z[k] = sIntersect, z[k + 1] = inf;
  }
  int32_t* out = s.out.data();
  if (k < 0) {
    for (int64_t q = 0; q < n; ++q) out[q] = kNoFeature;
    return;
  }
  k = 0;
  for (int64_t q = 0; q < n; ++q) {
    while (z[k + 1] < static_cast<double>(q)) ++k;
    const int64_t dq = q - v[k];
    const int64_t d2 = dq * dq + f[v[k]];
    out[q] = d2 > bound ? kNoFeature : static_cast<int32_t>(d2);
  }
}

// Transforms the lines of n elements `stride` apart that start at o*outerStride + i*innerStride.
void transformAxis(std::vector<int32_t>& grid, int64_t outer, int64_t outerStride, int64_t inner,
                   int64_t innerStride, int64_t n, int64_t stride, int32_t bound) {
  LineScratch s(n);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int32_t* line = &grid[static_cast<size_t>(o * outerStride + i * innerStride)];
      bool any = false;
      for (int64_t q = 0; q < n; ++q) {
        s.f[q] = line[q * stride];
        any |= s.f[q] != kNoFeature;
      }
      if (!any) continue;  // stays infinite
      transformLine(s, n, bound);
      for (int64_t q = 0; q < n; ++q) line[q * stride] = s.out[q];
    }
}

}  // namespace

void squaredDistanceTransform(std::vector<int32_t>& grid, Shape3 shape, int32_t bound) {
  const int64_t d = shape.d, h = shape.h, w = shape.w;
  // Lines along x (contiguous), then y (inner loop over x keeps the touched cache lines
  // shared between neighbouring lines), then z.
  transformAxis(grid, d * h, w, 1, 0, w, 1, bound);
  transformAxis(grid, d, h * w, w, 1, h, w, bound);
  transformAxis(grid, h, w, w, 1, d, h * w, bound);
}

}  // namespace vwb

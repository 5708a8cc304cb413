#include "engine/infer/TestTimeAugmentation.h"

#include <utility>

namespace vwb {

std::vector<TtaTransform> ttaTransforms(Tta tta, Shape3 patch) {
  std::vector<TtaTransform> ts;
  if (tta == Tta::None) return {TtaTransform{}};
  if (tta == Tta::Full && patch.h == patch.w) {
    for (int fz = 0; fz < 2; ++fz)
      for (int fx = 0; fx < 2; ++fx)
        for (int k = 0; k < 4; ++k) ts.push_back({fz == 1, false, fx == 1, k});
    return ts;
  }
  for (int f = 0; f < 8; ++f) ts.push_back({(f & 4) != 0, (f & 2) != 0, (f & 1) != 0, 0});
  return ts;
}

namespace {

// T(in)[p] = in[source(p)]: where output voxel p comes from.
template <class F>
void forEachSource(const TtaTransform& t, Shape3 s, F f) {
  size_t p = 0;
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x, ++p) {
        int64_t sy = y, sx = x;
        // A counter-clockwise quarter turn (numpy's rot90 over (y, x)): out[y][x] = in[x][n-1-y].
        for (int k = 0; k < t.quarterTurns; ++k) sy = std::exchange(sx, s.w - 1 - sy);
        const int64_t sz = t.flipZ ? s.d - 1 - z : z;
        if (t.flipY) sy = s.h - 1 - sy;
        if (t.flipX) sx = s.w - 1 - sx;
        f(p, static_cast<size_t>((sz * s.h + sy) * s.w + sx));
      }
}

}  // namespace

void applyTransform(const TtaTransform& t, const float* in, float* out, Shape3 patch) {
  forEachSource(t, patch, [&](size_t p, size_t src) { out[p] = in[src]; });
}

void applyInverse(const TtaTransform& t, const float* in, float* out, Shape3 patch) {
  forEachSource(t, patch, [&](size_t p, size_t src) { out[src] = in[p]; });
}

}  // namespace vwb

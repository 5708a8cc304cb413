// Dimension 2 of Betti matching, by duality: the cubes and the outside of the block are the
// vertices of a dual graph whose edges are the squares, taken in reverse filtration order. A part
// of the dual graph that holds a cube of value 1 (a cube touching background) and meets another
// such part across a square of value 0 is a cavity closing: one pair, the younger part dies.
//
// The official matcher names each input pair by the part that dies in the comparison image's
// age order (outside oldest, then cubes of value 1 in the comparison image, then by id, higher is
// older), and matches a prediction pair with a label pair when both name the same comparison pair.
// A comparison pair dies with a cube of value 1, so only input pairs whose dying part holds such a
// cube can match, and the match count is the size of the intersection of the three key sets.
#include <algorithm>

#include "engine/metrics/BettiMatching.h"
#include "engine/metrics/UnionFind.h"

namespace vwb {

DualPassResult cavityPass(const BinaryCubicalGrid& g, Filtration f) {
  DualPassResult r;
  const int64_t n = g.voxels;
  r.positiveSquare.assign(static_cast<size_t>(3 * n), false);
  // Per dual vertex (a cube by its lowest voxel, or the outside = n): born at 1 in f, and its age in
  // the comparison image. The older root survives a union, so a root's age, the oldest of its
  // part, is its own.
  std::vector<uint8_t> born1(static_cast<size_t>(n + 1), 1);
  for (int64_t v = 0; v < n; ++v) born1[v] = static_cast<uint8_t>(g.cubeValue(v, f));
  const auto age = [&](int64_t v) { return v == n ? 2 * n + 1 : g.cubeValue(v, Filtration::Comparison) ? n + v : v; };
  UnionFind uf(static_cast<size_t>(n + 1));
  const bool counted = g.solid();  // the official matcher computes no dimension 2 for flat blocks
  const int64_t D = g.size[0], H = g.size[1], W = g.size[2];
  for (int value = 1; value >= 0; --value)
    for (int64_t z = D - 1; z >= 0; --z)
      for (int64_t y = H - 1; y >= 0; --y)
        for (int64_t x = W - 1; x >= 0; --x) {
          const int64_t v = (z * H + y) * W + x;
          const int64_t c[3] = {z, y, x};
          const bool more[3] = {z + 1 < D, y + 1 < H, x + 1 < W};
          for (int t = 2; t >= 0; --t) {
            if (!g.squareExists(v, t) || g.squareValue(v, t, f) != value) continue;
            const int64_t lo = c[t] >= 1 ? v - g.stride[t] : n, hi = more[t] ? v : n;
            int32_t a = uf.find(static_cast<int32_t>(lo)), b = uf.find(static_cast<int32_t>(hi));
            if (a == b) continue;
            r.positiveSquare[v * 3 + t] = true;
            if (age(a) < age(b)) std::swap(a, b);  // a survives
            if (value == 0 && born1[a] && born1[b] && counted) {
              ++r.pairs;
              if (const int64_t ab = age(b); ab >= n && ab < 2 * n) r.keys.push_back(ab);
            }
            uf.attach(b, a);
            born1[a] |= born1[b];
          }
        }
  std::sort(r.keys.begin(), r.keys.end());
  return r;
}

void matchCavities(const BinaryCubicalGrid&, const DualPassResult& pred, const DualPassResult& gt,
                   const DualPassResult& comparison, BettiCounts& counts) {
  std::vector<int64_t> both, all;
  std::set_intersection(pred.keys.begin(), pred.keys.end(), gt.keys.begin(), gt.keys.end(), std::back_inserter(both));
  std::set_intersection(both.begin(), both.end(), comparison.keys.begin(), comparison.keys.end(),
                        std::back_inserter(all));
  counts.matched[2] = static_cast<int64_t>(all.size());
}

}  // namespace vwb

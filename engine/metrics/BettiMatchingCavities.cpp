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
  const int64_t n = g.voxels, squares = 3 * n;
  r.positiveSquare.assign(static_cast<size_t>(squares), false);
  // Per dual vertex (cube by its lowest voxel, or the outside = n): born at 1 in f, and age in the
  // comparison image; a root carries its part's oldest age.
  std::vector<uint8_t> born1(static_cast<size_t>(n + 1), 1);
  std::vector<int64_t> age(static_cast<size_t>(n + 1), 0);
  const int64_t kOutside = 2 * n + 1;
  for (int64_t v = 0; v < n; ++v)
    if (g.cubeExists(v)) {
      born1[v] = static_cast<uint8_t>(g.cubeValue(v, f));
      age[v] = g.cubeValue(v, Filtration::Comparison) ? n + v : v;
    }
  age[n] = kOutside;
  UnionFind uf(static_cast<size_t>(n + 1));
  const bool counted = g.solid();  // the official matcher computes no dimension 2 for flat blocks
  for (int value = 1; value >= 0; --value)
    for (int64_t s = squares - 1; s >= 0; --s) {
      const int64_t v = s / 3;
      const int t = static_cast<int>(s % 3);
      if (!g.squareExists(v, t) || g.squareValue(v, t, f) != value) continue;
      const auto cubes = g.squareCubes(v, t);
      int32_t a = uf.find(static_cast<int32_t>(cubes[0])), b = uf.find(static_cast<int32_t>(cubes[1]));
      if (a == b) continue;
      r.positiveSquare[s] = true;
      if (age[a] < age[b]) std::swap(a, b);  // a survives
      if (value == 0 && born1[a] && born1[b] && counted) {
        ++r.pairs;
        if (age[b] >= n && age[b] < 2 * n) r.keys.push_back(age[b]);
      }
      uf.attach(b, a);
      born1[a] |= born1[b];
    }
  std::sort(r.keys.begin(), r.keys.end());
  return r;
}

void matchCavities(const BinaryCubicalGrid&, const DualPassResult& pred, const DualPassResult& gt,
                   const DualPassResult& comparison, BettiCounts& counts) {
  counts.pred[2] = pred.pairs;
  counts.gt[2] = gt.pairs;
  std::vector<int64_t> both, all;
  std::set_intersection(pred.keys.begin(), pred.keys.end(), gt.keys.begin(), gt.keys.end(), std::back_inserter(both));
  std::set_intersection(both.begin(), both.end(), comparison.keys.begin(), comparison.keys.end(),
                        std::back_inserter(all));
  counts.matched[2] = static_cast<int64_t>(all.size());
}

}  // namespace vwb

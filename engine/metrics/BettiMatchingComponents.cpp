// Dimension 0 of Betti matching. Components are born at their lowest voxel (elder rule: the lower
// voxel id is older on ties), so each prediction component but the oldest is one pair, whatever
// the order of the edges. In the comparison image the edges of value 1 run in id order and merge
// the union's components; the merge of two parts that both hold prediction AND label foreground
// kills a comparison pair whose dying part holds the dying prediction pair and the dying label
// pair: exactly these merges are matches. A part missing either mask kills nothing matched, so
// the count depends on the order of the merges, which is why the edges are replayed in order.
#include <algorithm>

#include "engine/metrics/BettiMatching.h"
#include "engine/metrics/UnionFind.h"

namespace vwb {

void matchComponents(const BinaryCubicalGrid& g, BettiCounts& counts) {
  // Value 0: the union's components, in any order. `mask` of a root: which inputs it holds.
  UnionFind uf(static_cast<size_t>(g.voxels));
  std::vector<uint8_t> mask(g.code);
  auto unite = [&](int32_t a, int32_t b) {
    a = uf.find(a), b = uf.find(b);
    if (a == b) return;
    uf.attach(b, a);
    mask[a] |= mask[b];
  };
  for (int64_t z = 0, v = 0; z < g.size[0]; ++z)
    for (int64_t y = 0; y < g.size[1]; ++y)
      for (int64_t x = 0; x < g.size[2]; ++x, ++v) {
        if (!g.code[v]) continue;
        const bool has[3] = {z > 0, y > 0, x > 0};
        for (int t = 0; t < 3; ++t)
          if (has[t] && g.code[v - g.stride[t]]) unite(static_cast<int32_t>(v), static_cast<int32_t>(v - g.stride[t]));
      }
  // Parts holding both masks, and parts holding one: once fewer than two parts can ever hold
  // both, no later merge can be a match.
  int64_t both = 0, onlyPred = 0, onlyGt = 0;
  for (int64_t v = 0; v < g.voxels; ++v)
    if (uf.find(static_cast<int32_t>(v)) == v) {
      both += mask[v] == 3, onlyPred += mask[v] == 1, onlyGt += mask[v] == 2;
    }
  auto hopeless = [&] { return both + std::min(onlyPred, onlyGt) < 2; };
  if (hopeless()) return;
  // Value 1: every edge touching background of the union, in id order (voxel, then axis).
  int64_t matched = 0;
  for (int64_t z = 0, v = 0; z < g.size[0]; ++z)
    for (int64_t y = 0; y < g.size[1]; ++y)
      for (int64_t x = 0; x < g.size[2]; ++x, ++v) {
        const bool has[3] = {z + 1 < g.size[0], y + 1 < g.size[1], x + 1 < g.size[2]};
        for (int t = 0; t < 3; ++t) {
          if (!has[t]) continue;
          const int64_t u = v + g.stride[t];
          if (g.code[v] && g.code[u]) continue;  // value 0: already joined
          int32_t a = uf.find(static_cast<int32_t>(v)), b = uf.find(static_cast<int32_t>(u));
          if (a == b) continue;
          const uint8_t ma = mask[a], mb = mask[b];
          if (ma | mb) {
            auto drop = [&](uint8_t m, int d) { both += d * (m == 3), onlyPred += d * (m == 1), onlyGt += d * (m == 2); };
            drop(ma, -1), drop(mb, -1), drop(ma | mb, +1);
            matched += ma == 3 && mb == 3;
          }
          uf.attach(b, a);
          mask[a] = ma | mb;
          if ((ma | mb) && hopeless()) {
            counts.matched[0] = matched;
            return;
          }
        }
      }
  counts.matched[0] = matched;
}

}  // namespace vwb

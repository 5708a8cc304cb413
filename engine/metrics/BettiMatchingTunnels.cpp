// Dimension 1 of Betti matching. A tunnel pair (edge born at 0, square dying at 1) comes from
// reducing the square boundaries. Three reductions share the comparison image's column order: the
// comparison barcode itself and the two image barcodes (rows in the prediction's, resp. the label's
// order), which name, for every comparison pair, the input edge its dying square maps to. A
// comparison pair is a match when both names are birth edges of pairs of their inputs.
// Columns of squares that create a 2-cycle (found by the dual pass) vanish and are skipped.
#include <algorithm>

#include "engine/metrics/BettiMatching.h"
#include "engine/metrics/BoundaryReduction.h"
#include "engine/metrics/UnionFind.h"

namespace vwb {

namespace {

// Feeds every square that does not vanish to `column`, in (value in f, id) order, values up to
// `last`, until `column` returns false.
template <class F>
void forColumns(const BinaryCubicalGrid& g, Filtration f, const std::vector<bool>& positive, int last, F column) {
  const int bit = BinaryCubicalGrid::filtrationBit(f);
  for (int value = 0; value <= last; ++value)
    for (int64_t v = 0; v < g.voxels; ++v) {
      const unsigned bits = g.squares[v];
      for (int t = 0; t < 3; ++t) {
        const unsigned exists = (bits >> (4 * t + 3)) & 1, zero = (bits >> (4 * t + bit)) & 1;
        if (!exists || static_cast<int>(zero ^ 1) != value || positive[v * 3 + t]) continue;
        if (!column(v, t, value)) return;
      }
    }
}

// Edges whose cycle a square of value 0 fills at once: zero-persistence pairs, which the official
// matcher does not report. Only the input's foreground squares are reduced for them.
std::vector<bool> zeroPersistence(const BinaryCubicalGrid& g, Filtration f) {
  BoundaryReduction red(g, f);
  std::vector<bool> zero(static_cast<size_t>(3 * g.voxels), false);
  const std::vector<bool> none(static_cast<size_t>(3 * g.voxels), false);
  forColumns(g, f, none, 0, [&](int64_t v, int t, int) {
    const uint64_t pivot = red.add(v, t);
    if (pivot != BoundaryReduction::kNone) zero[red.edgeOf(pivot)] = true;
    return true;
  });
  return zero;
}

// Tunnels of the union foreground: b1 = b0 + b2 - (V - E + F - C); every one dies at value 1.
int64_t unionTunnels(const BinaryCubicalGrid& g, int64_t cavities) {
  UnionFind uf(static_cast<size_t>(g.voxels));
  int64_t components = 0, chi = 0;
  const auto in = [&](int64_t v) { return g.code[v] != 0; };
  for (int64_t z = 0, v = 0; z < g.size[0]; ++z)
    for (int64_t y = 0; y < g.size[1]; ++y)
      for (int64_t x = 0; x < g.size[2]; ++x, ++v) {
        if (!in(v)) continue;
        ++components, ++chi;
        const bool more[3] = {z + 1 < g.size[0], y + 1 < g.size[1], x + 1 < g.size[2]};
        for (int t = 0; t < 3; ++t) {
          if (more[t] && in(v + g.stride[t])) {
            --chi;
            const int32_t a = uf.find(static_cast<int32_t>(v)), b = uf.find(static_cast<int32_t>(v + g.stride[t]));
            if (a != b) uf.attach(std::max(a, b), std::min(a, b)), --components;
          }
          if (g.squareExists(v, t) && g.squareValue(v, t, Filtration::Comparison) == 0) ++chi;
        }
        if (more[0] && more[1] && more[2] && g.cubeValue(v, Filtration::Comparison) == 0) --chi;
      }
  return components + cavities - chi;
}

}  // namespace

void matchTunnels(const BinaryCubicalGrid& g, const DualPassResult& comparison, BettiCounts& counts) {
  const std::vector<bool> zeroPred = zeroPersistence(g, Filtration::Pred), zeroGt = zeroPersistence(g, Filtration::Gt);
  // One pass over the comparison image's columns drives the three reductions in step: when a
  // column is a comparison death, the image reductions have just named its input edges. A name
  // is a pair of its input exactly when it is a foreground edge of the input (the reduced column
  // is then a cycle of the input's foreground whose latest edge it is, so it opens a tunnel) that
  // no foreground square fills at once.
  BoundaryReduction comp(g, Filtration::Comparison), imPred(g, Filtration::Pred), imGt(g, Filtration::Gt);
  auto isPair = [](const BoundaryReduction& red, uint64_t pivot, const std::vector<bool>& zero) {
    return pivot != BoundaryReduction::kNone && red.valueOf(pivot) == 0 && !zero[red.edgeOf(pivot)];
  };
  // The union's tunnels all die in the comparison image: after its last death nothing can match.
  int64_t deathsLeft = unionTunnels(g, comparison.pairs), matched = 0;
  forColumns(g, Filtration::Comparison, comparison.positiveSquare, 1, [&](int64_t v, int t, int value) {
    if (deathsLeft == 0) return false;
    const uint64_t pivot = comp.add(v, t), namePred = imPred.add(v, t), nameGt = imGt.add(v, t);
    if (value == 1 && pivot != BoundaryReduction::kNone && comp.valueOf(pivot) == 0) {
      matched += isPair(imPred, namePred, zeroPred) && isPair(imGt, nameGt, zeroGt);
      --deathsLeft;
    }
    return true;
  });
  counts.matched[1] = matched;
}

}  // namespace vwb

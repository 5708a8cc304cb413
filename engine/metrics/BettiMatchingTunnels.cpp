// Dimension 1 of Betti matching. A tunnel pair (edge born at 0, square dying at 1) comes from
// reducing the square boundaries. Three reductions share the comparison image's column order: the
// comparison barcode itself and the two image barcodes (rows in the prediction's, resp. the label's
// order), which name, for every comparison pair, the input edge its dying square maps to. A
// comparison pair is a match when both names are birth edges of pairs of their inputs.
// Columns of squares that create a 2-cycle (found by the dual pass) vanish and are skipped.
#include <algorithm>

#include "engine/metrics/BettiMatching.h"
#include "engine/metrics/BoundaryReduction.h"

namespace vwb {

namespace {

// Feeds every square that does not vanish to `column`, in (value in f, id) order, values up to `last`.
template <class F>
void forColumns(const BinaryCubicalGrid& g, Filtration f, const std::vector<bool>& positive, int last, F column) {
  for (int value = 0; value <= last; ++value)
    for (int64_t z = 0, v = 0; z < g.size[0]; ++z)
      for (int64_t y = 0; y < g.size[1]; ++y)
        for (int64_t x = 0; x < g.size[2]; ++x, ++v) {
          const bool more[3] = {z + 1 < g.size[0], y + 1 < g.size[1], x + 1 < g.size[2]};
          for (int t = 0; t < 3; ++t) {
            const auto ax = BinaryCubicalGrid::squareAxes(t);
            if (!more[ax[0]] || !more[ax[1]] || positive[v * 3 + t] || g.squareValue(v, t, f) != value) continue;
            column(v, t, value);
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
  });
  return zero;
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
  int64_t matched = 0;
  forColumns(g, Filtration::Comparison, comparison.positiveSquare, 1, [&](int64_t v, int t, int value) {
    const uint64_t pivot = comp.add(v, t), namePred = imPred.add(v, t), nameGt = imGt.add(v, t);
    if (value == 1 && pivot != BoundaryReduction::kNone && comp.valueOf(pivot) == 0)
      matched += isPair(imPred, namePred, zeroPred) && isPair(imGt, nameGt, zeroGt);
  });
  counts.matched[1] = matched;
}

}  // namespace vwb

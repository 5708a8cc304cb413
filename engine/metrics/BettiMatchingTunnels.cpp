// Dimension 1 of Betti matching. A tunnel pair (edge born at 0, square dying at 1) comes from
// reducing the square boundaries. Three reductions share the comparison image's column order: the
// comparison barcode itself and the two image barcodes (rows in the prediction's, resp. the label's
// order), which name, for every comparison pair, the input edge its dying square maps to. A
// comparison pair is a match when both names are birth edges of pairs of their inputs.
// Columns of squares that create a 2-cycle (found by the dual pass) vanish and are skipped.
#include <algorithm>
#include <unordered_map>

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
  // Comparison pairs: their dying squares, in column order.
  std::unordered_map<int64_t, size_t> deathIndex;
  {
    BoundaryReduction red(g, Filtration::Comparison);
    forColumns(g, Filtration::Comparison, comparison.positiveSquare, 1, [&](int64_t v, int t, int value) {
      const uint64_t pivot = red.add(v, t);
      if (pivot != BoundaryReduction::kNone && value == 1 && red.valueOf(pivot) == 0)
        deathIndex.emplace(v * 3 + t, deathIndex.size());
    });
  }
  if (deathIndex.empty()) return;
  // Image barcodes: the input edge each comparison death maps to. The name is a pair of the input
  // exactly when it is a foreground edge of the input (the reduced column is then a cycle of the
  // input's foreground whose latest edge it is, so it opens a tunnel) that no foreground square
  // fills at once.
  auto names = [&](Filtration f, std::vector<bool>& isPair) {
    const std::vector<bool> zero = zeroPersistence(g, f);
    isPair.assign(deathIndex.size(), false);
    BoundaryReduction red(g, f);
    forColumns(g, Filtration::Comparison, comparison.positiveSquare, 1, [&](int64_t v, int t, int) {
      const uint64_t pivot = red.add(v, t);
      const auto it = deathIndex.find(v * 3 + t);
      if (it != deathIndex.end() && pivot != BoundaryReduction::kNone && red.valueOf(pivot) == 0)
        isPair[it->second] = !zero[red.edgeOf(pivot)];
    });
  };
  std::vector<bool> predPair, gtPair;
  names(Filtration::Pred, predPair);
  names(Filtration::Gt, gtPair);
  int64_t matched = 0;
  for (size_t i = 0; i < predPair.size(); ++i) matched += predPair[i] && gtPair[i];
  counts.matched[1] = matched;
}

}  // namespace vwb

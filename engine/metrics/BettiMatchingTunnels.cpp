// Dimension 1 of Betti matching. A tunnel pair (edge born at 0, square dying at 1) comes from
// reducing the square boundaries. Three reductions share the comparison image's column order: the
// comparison barcode itself and the two image barcodes (rows in the prediction's, resp. the label's
// order), which name, for every comparison pair, the input edge its dying square maps to. The
// prediction and label barcodes come from their own reductions. A comparison pair is a match when
// both names are birth edges of pairs of their inputs.
// Columns of squares that create a 2-cycle (found by the dual pass) vanish and are skipped.
#include <algorithm>
#include <unordered_map>

#include "engine/metrics/BettiMatching.h"
#include "engine/metrics/BoundaryReduction.h"

namespace vwb {

namespace {

// Euler characteristic V - E + F - C of the foreground complex.
int64_t euler(const BinaryCubicalGrid& g, Filtration f) {
  int64_t chi = 0;
  for (int64_t z = 0, v = 0; z < g.size[0]; ++z)
    for (int64_t y = 0; y < g.size[1]; ++y)
      for (int64_t x = 0; x < g.size[2]; ++x, ++v) {
        if (!g.foreground(v, f)) continue;
        ++chi;
        const bool more[3] = {z + 1 < g.size[0], y + 1 < g.size[1], x + 1 < g.size[2]};
        for (int t = 0; t < 3; ++t) {
          if (more[t] && g.edgeValue(v, t, f) == 0) --chi;
          const auto ax = BinaryCubicalGrid::squareAxes(t);
          if (more[ax[0]] && more[ax[1]] && g.squareValue(v, t, f) == 0) ++chi;
        }
        if (more[0] && more[1] && more[2] && g.cubeValue(v, f) == 0) --chi;
      }
  return chi;
}

int64_t componentCount(const BettiCounts& c, bool pred, const BinaryCubicalGrid& g, Filtration f) {
  const int64_t pairs = pred ? c.pred[0] : c.gt[0];
  if (pairs > 0) return pairs + 1;
  for (int64_t v = 0; v < g.voxels; ++v)
    if (g.foreground(v, f)) return 1;
  return 0;
}

// Feeds every square that does not vanish to `column`, in (value in f, id) order.
template <class F>
void forColumns(const BinaryCubicalGrid& g, Filtration f, const std::vector<bool>& positive, F column) {
  for (int value = 0; value <= 1; ++value)
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

// Birth edges of the finite pairs of one input.
std::vector<bool> birthEdges(const BinaryCubicalGrid& g, Filtration f, const std::vector<bool>& positive) {
  BoundaryReduction red(g, f);
  std::vector<bool> births(static_cast<size_t>(3 * g.voxels), false);
  forColumns(g, f, positive, [&](int64_t v, int t, int value) {
    const uint64_t pivot = red.add(v, t);
    if (pivot != BoundaryReduction::kNone && value == 1 && red.valueOf(pivot) == 0) births[red.edgeOf(pivot)] = true;
  });
  return births;
}

}  // namespace

void matchTunnels(const BinaryCubicalGrid& g, const DualPassResult& pred, const DualPassResult& gt,
                  const DualPassResult& comparison, BettiCounts& counts) {
  // b1 = b0 + b2 - chi: both counts without any reduction.
  counts.pred[1] = componentCount(counts, true, g, Filtration::Pred) + pred.pairs - euler(g, Filtration::Pred);
  counts.gt[1] = componentCount(counts, false, g, Filtration::Gt) + gt.pairs - euler(g, Filtration::Gt);
  if (counts.pred[1] == 0 || counts.gt[1] == 0) return;

  // Comparison pairs: their dying squares, in column order.
  std::unordered_map<int64_t, size_t> deathIndex;
  {
    BoundaryReduction red(g, Filtration::Comparison);
    forColumns(g, Filtration::Comparison, comparison.positiveSquare, [&](int64_t v, int t, int value) {
      const uint64_t pivot = red.add(v, t);
      if (pivot != BoundaryReduction::kNone && value == 1 && red.valueOf(pivot) == 0)
        deathIndex.emplace(v * 3 + t, deathIndex.size());
    });
  }
  if (deathIndex.empty()) return;
  // Image barcodes: the input edge each comparison death maps to.
  auto imageNames = [&](Filtration f) {
    std::vector<int64_t> name(deathIndex.size(), -1);
    BoundaryReduction red(g, f);
    forColumns(g, Filtration::Comparison, comparison.positiveSquare, [&](int64_t v, int t, int) {
      const uint64_t pivot = red.add(v, t);
      const auto it = deathIndex.find(v * 3 + t);
      if (it != deathIndex.end() && pivot != BoundaryReduction::kNone) name[it->second] = red.edgeOf(pivot);
    });
    return name;
  };
  const std::vector<int64_t> namePred = imageNames(Filtration::Pred), nameGt = imageNames(Filtration::Gt);
  const std::vector<bool> birthPred = birthEdges(g, Filtration::Pred, pred.positiveSquare);
  const std::vector<bool> birthGt = birthEdges(g, Filtration::Gt, gt.positiveSquare);
  int64_t matched = 0;
  for (size_t i = 0; i < namePred.size(); ++i)
    matched += namePred[i] >= 0 && nameGt[i] >= 0 && birthPred[namePred[i]] && birthGt[nameGt[i]];
  counts.matched[1] = matched;
}

}  // namespace vwb

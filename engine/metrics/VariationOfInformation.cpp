#include "engine/metrics/VariationOfInformation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "engine/core/Error.h"
#include "engine/metrics/RunLengthMask.h"

namespace vwb {

namespace {

// Joint voxel counts of (GT label, Pred label) over the union, label 0 = outside that mask.
std::unordered_map<uint64_t, int64_t> jointCounts(const RunLengthMask& g, const Components& gc,
                                                  const RunLengthMask& p, const Components& pc) {
  std::unordered_map<uint64_t, int64_t> counts;
  constexpr int32_t kEnd = std::numeric_limits<int32_t>::max();
  for (int64_t row = 0; row < g.rows(); ++row) {
    int64_t i = g.rowStart[row], iEnd = g.rowStart[row + 1];
    int64_t j = p.rowStart[row], jEnd = p.rowStart[row + 1];
    int32_t cursor = 0;
    // Sweep the row in segments where membership in both masks is constant.
    while (true) {
      while (i < iEnd && g.runs[i].x1 <= cursor) ++i;
      while (j < jEnd && p.runs[j].x1 <= cursor) ++j;
      if (i == iEnd && j == jEnd) break;
      const int32_t a0 = i < iEnd ? std::max(g.runs[i].x0, cursor) : kEnd;
      const int32_t b0 = j < jEnd ? std::max(p.runs[j].x0, cursor) : kEnd;
      const int32_t start = std::min(a0, b0);
      const bool inG = a0 == start, inP = b0 == start;
      int32_t end = kEnd;
      if (i < iEnd) end = std::min(end, inG ? g.runs[i].x1 : g.runs[i].x0);
      if (j < jEnd) end = std::min(end, inP ? p.runs[j].x1 : p.runs[j].x0);
      const uint64_t gl = inG ? static_cast<uint64_t>(gc.runLabel[i]) + 1 : 0;
      const uint64_t pl = inP ? static_cast<uint64_t>(pc.runLabel[j]) + 1 : 0;
      counts[(gl << 32) | pl] += end - start;
      cursor = end;
    }
  }
  return counts;
}

// H(A|B) = -sum p(a,b) log(p(a,b) / p(b)); `second` selects which label plays B.
double conditionalEntropy(const std::unordered_map<uint64_t, int64_t>& joint, bool bIsPred,
                          double total) {
  std::unordered_map<uint32_t, int64_t> marginal;
  for (const auto& [key, n] : joint)
    marginal[bIsPred ? static_cast<uint32_t>(key) : static_cast<uint32_t>(key >> 32)] += n;
  double h = 0;
  for (const auto& [key, n] : joint) {
    const int64_t nb = marginal[bIsPred ? static_cast<uint32_t>(key) : static_cast<uint32_t>(key >> 32)];
    h -= (n / total) * std::log2(static_cast<double>(n) / static_cast<double>(nb));
  }
  return std::max(0.0, h);
}

}  // namespace

VoiResult variationOfInformation(const VolumeU8& gt, const VolumeU8& pred, double alpha) {
  if (gt.shape != pred.shape) throw Error("VOI: masks are " + gt.shape.str() + " and " + pred.shape.str());
  const Box3 box = Box3::of(gt.shape);
  const RunLengthMask g = RunLengthMask::encode(gt, box), p = RunLengthMask::encode(pred, box);
  const Components gc = labelComponents(g, Connectivity::Full26);
  const Components pc = labelComponents(p, Connectivity::Full26);
  const auto joint = jointCounts(g, gc, p, pc);
  int64_t total = 0;
  for (const auto& [key, n] : joint) total += n;
  VoiResult r;
  if (total == 0) return r;
  r.gtGivenPred = conditionalEntropy(joint, true, static_cast<double>(total));
  r.predGivenGt = conditionalEntropy(joint, false, static_cast<double>(total));
  r.voi = r.gtGivenPred + r.predGivenGt;
  r.score = 1.0 / (1.0 + alpha * r.voi);
  return r;
}

}  // namespace vwb

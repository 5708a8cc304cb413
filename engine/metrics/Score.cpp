#include "engine/metrics/Score.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/metrics/SurfaceDice.h"
#include "engine/metrics/TopoScore.h"
#include "engine/metrics/VariationOfInformation.h"

namespace vwb {

void checkLabelValues(const VolumeU8& label) {
  for (size_t i = 0; i < label.size(); ++i)
    if (label.data[i] > 2) {
      const int64_t w = label.shape.w, h = label.shape.h, j = static_cast<int64_t>(i);
      throw Error("label holds the value " + std::to_string(label.data[i]) + " at z=" + std::to_string(j / (w * h)) +
                  " y=" + std::to_string(j / w % h) + " x=" + std::to_string(j % w) +
                  " (labels are 0, 1 and 2 = unlabeled)");
    }
}

VolumeScore scoreVolume(const VolumeU8& pred, const VolumeU8& label, const ScoreOptions& options) {
  if (pred.shape != label.shape)
    throw Error("prediction is " + pred.shape.str() + " but the label is " + label.shape.str());
  // Label 2 (unlabeled) is background in BOTH masks; everything else nonzero is foreground.
  checkLabelValues(label);
  VolumeU8 gt(label.shape), pr(label.shape);
  bool anyKnown = false;
  for (size_t i = 0; i < label.size(); ++i) {
    const bool known = label.data[i] != 2;
    anyKnown |= known;
    gt.data[i] = known && label.data[i] != 0;
    pr.data[i] = known && pred.data[i] != 0;
  }
  VolumeScore s;
  s.allIgnored = !anyKnown && !label.data.empty();
  s.surfaceDice = surfaceDice(gt, pr, options.tolerance).value;
  const VoiResult voi = variationOfInformation(gt, pr);
  s.voi = voi.voi;
  s.voiSplit = voi.predGivenGt;
  s.voiMerge = voi.gtGivenPred;
  s.voiScore = voi.score;
  const TopoResult topo = topoScore(gt, pr, options.threads);
  s.topoScore = topo.score;
  s.matched = topo.matched, s.predPairs = topo.pred, s.gtPairs = topo.gt;
  s.topoF1 = topo.f1, s.topoUsed = topo.used;
  // 0.30/0.35/0.35 as whole percentages: a perfect volume scores exactly 1, not 1 - 1e-16.
  s.score = (30 * s.topoScore + 35 * s.surfaceDice + 35 * s.voiScore) / 100;
  return s;
}

VolumeScore meanScore(const std::vector<VolumeScore>& scores) {
  VolumeScore m;
  m.id = "mean";
  double n = 0;
  for (const VolumeScore& s : scores) {
    if (s.allIgnored) continue;
    m.surfaceDice += s.surfaceDice;
    m.voi += s.voi, m.voiSplit += s.voiSplit, m.voiMerge += s.voiMerge;
    m.voiScore += s.voiScore;
    m.topoScore += s.topoScore;
    m.score += s.score;
    for (int k = 0; k < 3; ++k) m.matched[k] += s.matched[k], m.predPairs[k] += s.predPairs[k], m.gtPairs[k] += s.gtPairs[k];
    ++n;
  }
  if (n == 0) return m;
  m.surfaceDice /= n, m.voi /= n, m.voiSplit /= n, m.voiMerge /= n, m.voiScore /= n, m.topoScore /= n, m.score /= n;
  return m;
}

}  // namespace vwb

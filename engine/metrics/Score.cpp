#include "engine/metrics/Score.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/metrics/SurfaceDice.h"
#include "engine/metrics/TopoScore.h"
#include "engine/metrics/VariationOfInformation.h"

namespace vwb {

namespace {

double clip01(double v) { return std::clamp(v, 0.0, 1.0); }

}  // namespace

VolumeScore scoreVolume(const VolumeU8& pred, const VolumeU8& label, const ScoreOptions& options) {
  if (pred.shape != label.shape)
    throw Error("prediction is " + pred.shape.str() + " but the label is " + label.shape.str());
  // Label 2 (unlabeled) is background in BOTH masks; everything else nonzero is foreground.
  VolumeU8 gt(label.shape), pr(label.shape);
  for (size_t i = 0; i < label.size(); ++i) {
    const bool known = label.data[i] != 2;
    gt.data[i] = known && label.data[i] != 0;
    pr.data[i] = known && pred.data[i] != 0;
  }
  VolumeScore s;
  s.surfaceDice = clip01(surfaceDice(gt, pr, options.tolerance).value);
  const VoiResult voi = variationOfInformation(gt, pr);
  s.voi = voi.voi;
  s.voiScore = clip01(voi.score);
  s.topoScore = clip01(topoScore(gt, pr).score);
  // 0.30/0.35/0.35 as whole percentages: a perfect volume scores exactly 1, not 1 - 1e-16.
  s.score = clip01((30 * s.topoScore + 35 * s.surfaceDice + 35 * s.voiScore) / 100);
  return s;
}

VolumeScore meanScore(const std::vector<VolumeScore>& scores) {
  VolumeScore m;
  m.id = "mean";
  if (scores.empty()) return m;
  for (const VolumeScore& s : scores) {
    m.surfaceDice += s.surfaceDice;
    m.voi += s.voi;
    m.voiScore += s.voiScore;
    m.topoScore += s.topoScore;
    m.score += s.score;
  }
  const double n = static_cast<double>(scores.size());
  m.surfaceDice /= n, m.voi /= n, m.voiScore /= n, m.topoScore /= n, m.score /= n;
  return m;
}

}  // namespace vwb

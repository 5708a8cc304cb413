#include "engine/infer/PostProcessTuner.h"

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/metrics/Score.h"

namespace vwb {

namespace {
std::vector<VolumeScore> scoresOf(const std::vector<TuneCase>& cases, const PostProcessOptions& o) {
  std::vector<VolumeScore> scores;
  for (const auto& c : cases) scores.push_back(scoreVolume(postprocess(c.probability255, o), c.label));
  return scores;
}

// A change is kept when it raises the mean and more volumes than it lowers. The mean alone
// follows one volume: on a benchmark with 3 validation volumes it moved the threshold 0.5 -> 0.26
// for one volume's +0.03 (two fell), and the held-out score fell by 0.04 (engine/infer/README.md).
bool better(const std::vector<VolumeScore>& now, double nowMean, const std::vector<VolumeScore>& best, double bestMean) {
  if (!(nowMean > bestMean)) return false;
  int raised = 0, lowered = 0;
  for (size_t i = 0; i < now.size(); ++i) {
    if (now[i].allIgnored) continue;  // scored 1 whatever the setting
    raised += now[i].score > best[i].score;
    lowered += now[i].score < best[i].score;
  }
  return raised > lowered;
}
}  // namespace

TuneResult tunePostProcessing(const std::vector<TuneCase>& cases, const TuneGrid& grid,
                              ProgressSink* progress, const CancelToken* cancel) {
  if (cases.empty()) throw Error("tune: no validation volumes with labels");
  TuneResult r;
  std::vector<VolumeScore> bestScores = scoresOf(cases, PostProcessOptions{});
  r.baselineScore = meanScore(bestScores).score;
  r.best = PostProcessOptions{};
  r.bestScore = r.baselineScore;
  r.evaluations = 1;
  const int64_t total = 2 * int64_t(grid.thresholds.size() + grid.minSizes.size() +
                                    grid.closingRadii.size() + grid.sheetClosingRadii.size() +
                                    grid.plugHoles.size() + grid.fillHoles.size());
  int64_t done = 0;
  // Tries every value of one setting with the others held; keeps a better one (see better()).
  auto sweep = [&](auto& values, auto set) {
    for (const auto& v : values) {
      if (cancel && cancel->cancelled()) return false;
      PostProcessOptions o = r.best;
      set(o, v);
      std::vector<VolumeScore> scores = scoresOf(cases, o);
      const double s = meanScore(scores).score;
      ++r.evaluations;
      if (better(scores, s, bestScores, r.bestScore)) r.bestScore = s, r.best = o, bestScores = std::move(scores);
      if (progress) progress->progress("tune", ++done, total);
    }
    return true;
  };
  for (int round = 0; round < 2; ++round) {
    if (!sweep(grid.thresholds, [](PostProcessOptions& o, double v) { o.threshold = v; }) ||
        !sweep(grid.plugHoles, [](PostProcessOptions& o, bool v) { o.plugHoles = v; }) ||
        !sweep(grid.closingRadii, [](PostProcessOptions& o, int v) { o.closingRadius = v; }) ||
        !sweep(grid.sheetClosingRadii, [](PostProcessOptions& o, int v) { o.sheetClosingRadius = v; }) ||
        !sweep(grid.fillHoles, [](PostProcessOptions& o, bool v) { o.fillHoles = v; }) ||
        !sweep(grid.minSizes, [](PostProcessOptions& o, int64_t v) { o.minComponentVoxels = v; }))
      break;
  }
  return r;
}

}  // namespace vwb

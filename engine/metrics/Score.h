#pragma once
// The competition score, computed locally as the official Kaggle metric: Score = 0.30*TopoScore
// + 0.35*SurfaceDice@tau + 0.35*VOI_score per volume, then the mean over volumes.
// Label 2 (unlabeled) becomes background in BOTH masks before anything; masks are "nonzero".
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

namespace vwb {

struct ScoreOptions {
  double tolerance = 2.0;  // SurfaceDice tau, in voxels (spacing 1)
  int threads = 0;         // TopoScore octants in parallel; 0 = all cores
};

struct VolumeScore {
  std::string id;
  double surfaceDice = 0;
  double voi = 0;       // VOI = split + merge, bits
  double voiSplit = 0;  // H(Pred|GT), bits: a GT sheet split by the prediction
  double voiMerge = 0;  // H(GT|Pred), bits: GT sheets merged by the prediction
  double voiScore = 0;  // 1 / (1 + 0.3 * VOI)
  double topoScore = 0;
  // Betti matching per homology dimension (0 components, 1 tunnels, 2 cavities), summed over octants.
  std::array<int64_t, 3> matched{}, predPairs{}, gtPairs{};
  std::array<double, 3> topoF1{};
  std::array<bool, 3> topoUsed{};
  double score = 0;
  bool allIgnored = false;  // label 2 everywhere: scored 1 whatever the prediction, left out of means
};

// Throws vwb::Error naming the first voxel whose label is not 0, 1 or 2.
void checkLabelValues(const VolumeU8& label);

// pred: nonzero = foreground. label: 0/1/2 ground truth (vwb::Error on any other value, and when
// the shapes differ).
VolumeScore scoreVolume(const VolumeU8& pred, const VolumeU8& label, const ScoreOptions& options = {});

// Mean of each term over the volumes that are not all ignored (id = "mean").
VolumeScore meanScore(const std::vector<VolumeScore>& scores);

}  // namespace vwb

#pragma once
// The competition score, computed locally: Score = 0.30*TopoScore + 0.35*SurfaceDice@tau
// + 0.35*VOI_score per volume (each clipped to [0,1]), then the mean over volumes.
// Label 2 (unlabeled) becomes background in BOTH masks before anything; masks are "nonzero".
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

namespace vwb {

struct ScoreOptions {
  double tolerance = 2.0;  // SurfaceDice tau, in voxels (spacing 1)
};

struct VolumeScore {
  std::string id;
  double surfaceDice = 0;
  double voi = 0;       // raw VOI = H(GT|Pred) + H(Pred|GT), natural log
  double voiScore = 0;  // 1 / (1 + 0.3 * VOI)
  double topoScore = 0;
  double score = 0;
};

// pred: nonzero = foreground. label: 0/1/2 ground truth. Shapes must match (vwb::Error otherwise).
VolumeScore scoreVolume(const VolumeU8& pred, const VolumeU8& label, const ScoreOptions& options = {});

// Mean of each field over volumes (id = "mean").
VolumeScore meanScore(const std::vector<VolumeScore>& scores);

}  // namespace vwb

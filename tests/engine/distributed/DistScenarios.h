#pragma once
// Torch-free entry points into distributed scenarios (DistScenarios.cpp holds the torch code), so
// the Qt test never sees torch headers. Each returns what happened; the test asserts on it.
#include <cstdint>
#include <string>
#include <vector>

namespace vwbtest::dist {

// world ranks as threads over a HashStore; rank r contributes (r + 1) + 0.5 * i at index i.
std::vector<std::vector<double>> allreduceKnownValues(int world);

struct GradCheck {
  double maxGradError = 1e9;       // bucketed, averaged grads vs the mean of each rank's own grads
  double maxBroadcastSpread = 1e9; // parameters differ across ranks after broadcast by this much
  int buckets = 0;
  double overlapFraction = 0;
  double allreduceSec = 0;
};
// A small MLP on every rank (different seeds, then broadcast from rank 0), different data per
// rank, microBatches backward passes per step; one parameter is left unused by the forward pass.
GradCheck bucketedGradientsMatchMean(int world, int64_t bucketBytes, int microBatches, bool overlap);

struct Failure {
  bool threw = false;
  std::string message;
  double seconds = 0;
};
// Rank 1 of 2 never joins the all-reduce (it waits for the abort); rank 0 must time out.
Failure timeoutWhenRankSilent(int timeoutSec);
// Rank 2 of 3 throws in its third step while the others are inside all-reduces.
Failure abortWhenRankThrows(int timeoutSec);

struct ToyRun {
  int world = 2, nnodes = 1, nodeRank = 0, localRanks = 2;
  std::string master;  // host:port when nnodes > 1
  int steps = 5;
  int timeoutSec = 20;
  int dieAtStep = -1;   // this process exits abruptly (like kill -9) at that step
  int hangAtStep = -1;  // this process stops taking part (sleeps) at that step
};
// Toy DDP training (bucketed SGD on an MLP, 64-byte buckets to get many of them); returns rank 0's
// flattened parameters after the steps (every local rank's are checked to be identical).
std::vector<double> toyDdpParameters(const ToyRun& run);

}  // namespace vwbtest::dist

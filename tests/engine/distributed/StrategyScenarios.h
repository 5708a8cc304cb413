#pragma once
// Torch-free entry points into the training-strategy scenarios (StrategyScenarios.cpp).
#include <string>
#include <vector>

namespace vwbtest::dist {

struct Equivalence {
  double ddpMaxRelDiff = 1e9, dpMaxRelDiff = 1e9;  // vs single device, over the conv weights
  double ddpLogitsRelDiff = 1e9, dpLogitsRelDiff = 1e9;  // logits on unseen samples
  double paramsMoved = 0;                          // how far single-device training moved them
  double singleLoss = 0, ddpLoss = 0, dpLoss = 0;  // last step's reported loss
};
// Single device with batch ranks*b vs DDP (cpu:ranks, b each) vs DP (cpu:ranks, b each) on the
// same random batches for `steps` AdamW (or, with sgd, SGD-Nesterov) steps; instance norm,
// per-sample loss.
Equivalence strategiesMatchSingleDevice(int ranks, int batchPerRank, int steps, bool sgd = false);

struct StrategyFailure {
  bool threw = false, refusedAfter = false;
  std::string message;
  double seconds = 0;
};
// DDP over cpu:3 where rank 1 throws before its forward pass in step 2.
StrategyFailure ddpRankFailureStopsStep(int timeoutSec);

// The network weights stored in a vwb checkpoint, flattened (throws vwb::Error if unreadable).
std::vector<double> checkpointParameters(const std::string& path);

// The micro-batch a vwb checkpoint's strategy state records (-1 when it records none).
long long checkpointMicroBatch(const std::string& path);

}  // namespace vwbtest::dist

#pragma once
// Measures a training strategy on random batches (the data pipeline is left out so that only
// compute and communication are timed): samples/s, and for DDP the all-reduce time per step and
// the share of it hidden behind backward. Used by `vwb bench-dist` and `vwb plan --probe`.
#include <string>
#include <vector>

#include "engine/train/TrainConfig.h"

namespace vwb::dist {

struct StrategyBenchResult {
  std::string strategy;              // "single", "dp", "ddp"
  std::vector<std::string> devices;
  int64_t globalBatch = 0;
  int threads = 0;                   // intra-op threads in total
  double samplesPerSec = 0, secondsPerStep = 0;
  int buckets = 0;                   // DDP only
  double allreduceSecPerStep = 0;    // DDP: launch-to-done, summed over buckets
  double exposedSecPerStep = 0;      // DDP: what the step waited for after backward
  double overlapFraction = 0;        // DDP: share of all-reduce time hidden behind backward
  bool outOfMemory = false;
  std::string error;                 // set when the strategy failed (outOfMemory or other)
};

// config.strategy must be Single, DataParallel or Ddp. Never throws for OOM (reported instead).
StrategyBenchResult benchStrategy(const TrainConfig& config, int warmupSteps, int steps);

}  // namespace vwb::dist

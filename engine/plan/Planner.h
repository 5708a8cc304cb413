#pragma once
// The seed's decision tree as a pure function: (hardware, dataset fingerprint, user constraints)
// -> a plan. Every choice carries a human-readable reason; the GUI wizard only displays them.
#include <optional>
#include <string>
#include <vector>

#include "engine/data/Fingerprint.h"
#include "engine/plan/HardwareInventory.h"
#include "engine/train/TrainConfig.h"

namespace vwb {

struct UserConstraints {
  std::optional<StrategyKind> strategy;  // forced by the user
  std::optional<int> patch, batchPerDevice, epochs;
  std::optional<AmpMode> amp;
  std::optional<AugmentPreset> augment;  // default: TrainConfig's (nnunet)
  std::vector<std::string> devices;      // forced device list
  ModelConfig model;
  double memorySafetyMargin = 0.15;      // keep this share of each device's memory free
  std::string master;                    // host:port of node 0's store (multi-node)
  // Measured by `vwb plan --probe` on a CPU-only machine: samples/s of `cpuRanks` CPU ranks
  // divided by samples/s of one process with all threads. > 1.1 makes CPU DDP the plan.
  std::optional<double> measuredCpuRanksSpeedup;
  int cpuRanks = 2;
  // The chunk cache's state where it will live (read by the caller; the planner reads no files):
  // share of the training voxels already preprocessed, and free disk there (-1: unknown).
  double cachedFraction = 0;
  int64_t diskFreeBytes = -1;
};

// One node of the decision tree as the wizard draws it.
struct DecisionStep {
  std::string question;  // "How many GPUs?"
  std::string answer;    // "2 (Tesla T4, 15 GiB each)"
  std::string reason;    // why this branch
};

struct StrategyOption {
  StrategyKind kind = StrategyKind::Single;
  bool recommended = false;
  std::string summary;  // "DDP in worker threads: one replica per GPU, gradients all-reduced"
  std::string cost;     // "device 0 holds ~1.4x the memory of the others"
  double estimatedSpeedup = 1.0;  // vs one device
};

struct DeviceBudget {
  std::string device;
  int64_t capacityBytes = 0;
  int64_t estimatedBytes = 0;  // model + optimizer + activations at the chosen batch
};

struct Plan {
  TrainConfig config;                  // resolved settings (strategy, devices, batch, patch, ...)
  std::vector<DecisionStep> path;      // the decision tree path taken
  std::vector<StrategyOption> options; // chosen one first, alternatives after
  std::vector<DeviceBudget> budgets;
  std::vector<std::string> reasons;    // one line per choice (batch, patch, workers, amp, ...)
  std::vector<std::string> warnings;
  int worldSize = 1;        // ranks over all nodes (DDP) or devices (DP)
  int64_t globalBatch = 0;  // samples per optimizer step
  std::string hardware;     // HardwareInventory::summary() of what was planned for
  int64_t cacheDiskBytes = 0;    // the chunk cache of the training volumes, on disk
  double preprocessSeconds = 0;  // estimated time to preprocess what is not cached yet

  std::string toJson() const;
  std::string toText() const;
  std::string summary() const;  // one line: strategy, devices, patch, batch, amp, workers, threads
};

// Throws vwb::Error for contradictions (DataParallel across nodes, a device that does not exist,
// a patch larger than the smallest volume or not divisible by 2^(levels-1)).
Plan makePlan(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint,
              const UserConstraints& constraints);

}  // namespace vwb

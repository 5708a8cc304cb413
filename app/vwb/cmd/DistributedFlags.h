#pragma once
// The multi-device flags of `vwb train` (kept out of train.cpp so the single-device command
// stays as its owner wrote it): --strategy, --devices, --nnodes, --node-rank, --master, --timeout,
// plus the torchrun environment (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_WORLD_SIZE).
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/train/TrainConfig.h"

namespace vwb::cli {

struct DistributedFlags {
  std::string strategy = "auto";
  std::vector<std::string> devices;
  int nnodes = 1, nodeRank = 0, timeoutSec = 60;
  double bucketMb = 25;
  std::string master, bind, secretFile;
};

std::shared_ptr<DistributedFlags> addDistributedFlags(CLI::App& cmd);

// This process's node rank from --node-rank or the torchrun environment (RANK with WORLD_SIZE),
// before any config exists: which node's settings a --resume reads.
int nodeRankOf(const DistributedFlags& flags, const CLI::App& cmd);

// Flags first, then the environment for what they left unset; registers the DDP/DP strategies.
// --strategy auto without --device/--devices is the engine's resolveAutoConfig (engine/plan/
// AutoConfig.h) for this machine and the dataset: its strategy and devices, and its patch, batch
// per device, AMP, workers, prefetch and threads wherever the user gave none (flags, a --config
// file or a resumed run count as given). The plan's reasons go to `log`.
void applyDistributedFlags(const DistributedFlags& flags, const CLI::App& cmd, TrainConfig& config,
                           LogSink* log = nullptr);

}  // namespace vwb::cli

#pragma once
// The planner's working state, shared by its steps (PlanStrategy.cpp, PlanSizing.cpp).
#include <vector>

#include "engine/plan/Planner.h"

namespace vwb::plan_detail {

struct PlanContext {
  PlanContext(const HardwareInventory& h, const DatasetFingerprint& f, const UserConstraints& u,
              Plan& p)
      : hw(h), fp(f), uc(u), plan(p) {}

  const HardwareInventory& hw;
  const DatasetFingerprint& fp;
  const UserConstraints& uc;
  Plan& plan;

  // Filled by chooseStrategy():
  std::vector<int> gpus;  // indices of the GPUs used on each node; empty = CPU
  int cpuRanks = 1;       // CPU ranks per node when gpus is empty
  int localDevices() const { return gpus.empty() ? cpuRanks : int(gpus.size()); }
  int bytesPerElement = 4;  // activations: 2 under fp16/bf16 autocast
  int64_t chunkCacheBytes = 0;  // decoded-chunk cache in RAM (chooseDataCache)

  void step(std::string question, std::string answer, std::string reason) {
    plan.path.push_back({std::move(question), std::move(answer), std::move(reason)});
  }
};

// The chunk cache's measured figures (engine/store/README.md): bytes on disk per decoded
// voxel (image stored ~raw by LZ4, labels packed 2 bits per voxel then LZ4), and decoded bytes
// (image + label) one core preprocesses per second (LZW decode + chunking + LZ4 + write).
inline constexpr double kCacheBytesPerVoxel = 1.04;  // measured: 24.25 GiB for 25.0 G voxels
// Measured 263 MB/s of CPU (786 x 320^3, format 2: 196 s CPU for 51.5 GB decoded).
inline constexpr double kPreprocessBytesPerSecondPerCore = 230e6;
int64_t plannedChunkCacheBytes(int64_t ramBytes);
int64_t hostProcessBytes();

void chooseStrategy(PlanContext& ctx);
void chooseDataCache(PlanContext& ctx);
void chooseAmp(PlanContext& ctx);
void choosePatchAndBatch(PlanContext& ctx);
void chooseWorkers(PlanContext& ctx);
void chooseValidation(PlanContext& ctx);  // PlanValidation.cpp

}  // namespace vwb::plan_detail

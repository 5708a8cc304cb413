// Decision tree, data step: training reads patches from the preprocessed chunk cache, so RAM is
// budgeted for the decoded-chunk cache (not for decoded volumes), and the cache's disk need and
// the first preprocessing's duration are reported, with warnings when RAM or disk is short.
#include <algorithm>

#include <fmt/format.h>

#include "engine/plan/detail/Format.h"
#include "engine/plan/detail/PlanContext.h"

namespace vwb::plan_detail {

namespace {
// What the process needs besides the chunk cache and (on CPU) the model: libraries, allocator
// slack, batch buffers. Measured peak RSS of a tiny-model run is ~1 GiB above its chunk cache.
constexpr int64_t kProcessBytes = 1024 * kMiB;
}  // namespace

int64_t plannedChunkCacheBytes(int64_t ramBytes) {
  // RAM / 8 within [256 MiB, 2 GiB], as training's default (engine/train defaultChunkCacheBytes).
  return std::clamp<int64_t>(ramBytes / 8, 256 * kMiB, 2048 * kMiB);
}

void chooseDataCache(PlanContext& ctx) {
  TrainConfig& c = ctx.plan.config;
  const auto& fp = ctx.fp;
  const auto& uc = ctx.uc;
  ctx.chunkCacheBytes = plannedChunkCacheBytes(ctx.hw.ramBytes);
  c.data.chunkCacheMb = int(ctx.chunkCacheBytes / kMiB);
  const int64_t voxels = fp.totalTrainVoxels;
  const int64_t disk = int64_t(double(voxels) * kCacheBytesPerVoxel);
  const int cores = std::max(1, ctx.hw.cpuCores);
  const double firstSeconds = double(voxels) * 2 / (kPreprocessBytesPerSecondPerCore * cores);
  const double left = 1.0 - std::clamp(uc.cachedFraction, 0.0, 1.0);
  std::string cacheState =
      uc.cachedFraction >= 1.0 ? "the cache is up to date: training starts without preprocessing"
      : uc.cachedFraction > 0  ? fmt::format("{:.0f}% cached; preprocessing the rest takes ~{:.0f} s on {} cores",
                                             uc.cachedFraction * 100, firstSeconds * left, cores)
                               : fmt::format("a first preprocessing decodes every volume once: ~{:.0f} s on {} cores",
                                             firstSeconds, cores);
  std::string reason = fmt::format(
      "Patches are read from the preprocessed chunk cache ({} on disk for {} train voxels); {}. RAM holds a "
      "{} decoded-chunk cache shared by every loader thread and rank (RAM/8 within 256 MiB..2 GiB), whatever "
      "the number of volumes.",
      size(disk), count(voxels), cacheState, mib(ctx.chunkCacheBytes));
  ctx.step("Data in memory?", fmt::format("chunk cache {}, disk {}", mib(ctx.chunkCacheBytes), size(disk)), reason);
  ctx.plan.reasons.push_back("Data: " + reason);
  ctx.plan.cacheDiskBytes = disk;
  ctx.plan.preprocessSeconds = firstSeconds * left;
  if (uc.diskFreeBytes >= 0 && double(uc.diskFreeBytes) < double(disk) * left)
    ctx.plan.warnings.push_back(fmt::format(
        "The chunk cache needs ~{} more disk, {} are free where it lives: give another folder with --cache.",
        gib(int64_t(double(disk) * left)), gib(uc.diskFreeBytes)));
  const int64_t needed = ctx.chunkCacheBytes + kProcessBytes;
  if (ctx.hw.ramBytes > 0 && int64_t(double(ctx.hw.ramBytes) * (1.0 - uc.memorySafetyMargin)) < needed)
    ctx.plan.warnings.push_back(fmt::format(
        "{} of RAM{} is short for the {} chunk cache and ~{} of process memory: lower --chunk-cache-mb.",
        gib(ctx.hw.ramBytes), ctx.hw.assumed ? " (assumed)" : "", mib(ctx.chunkCacheBytes), gib(kProcessBytes)));
}

int64_t hostProcessBytes() { return kProcessBytes; }

}  // namespace vwb::plan_detail

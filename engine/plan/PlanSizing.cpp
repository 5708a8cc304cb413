// Decision tree, second half: precision, patch and per-device batch (from the memory estimate),
// data workers and threads.
#include <algorithm>
#include <climits>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/model/ModelPresets.h"
#include "engine/plan/MemoryEstimate.h"
#include "engine/plan/detail/Format.h"
#include "engine/plan/detail/PlanContext.h"
#include "engine/model/Precision.h"

namespace vwb::plan_detail {
namespace {

constexpr int64_t kCudaContextBytes = 600 * kMiB;  // CUDA context + cuDNN/cuBLAS workspaces
constexpr int kGpuMaxBatch = 8;   // with instance norm more devices scale better than bigger batches
constexpr int kGpuMaxPatch = 128; // nnU-Net's usual 3D target; the surface is thin, context is enough
constexpr int kCpuPatch = 64;     // CPU is compute-bound: bigger patches only slow every step
constexpr int kCpuBatch = 2;
constexpr int kMinPatch = 32;
// The GPU step rate loader threads are sized for: ~12 samples/s at 128^3 per GPU (a ResEnc-M on an
// A100, nnU-Net's users' figure); slower GPUs need fewer threads.
constexpr double kAssumedGpuSamplesPerSec = 12;     // below this a 3D net sees too little context to be worth training

int minCompute(const PlanContext& ctx, int* minor) {
  int major = INT_MAX;
  *minor = 0;
  for (int i : ctx.gpus) {
    const auto& g = ctx.hw.gpus[size_t(i)];
    if (g.computeMajor < major || (g.computeMajor == major && g.computeMinor < *minor)) {
      major = g.computeMajor;
      *minor = g.computeMinor;
    }
  }
  return major;
}

// Memory one device can give to training: total less the safety margin, never more than free.
int64_t deviceCapacity(const PlanContext& ctx, const GpuInfo& g) {
  int64_t usable = int64_t(double(g.totalBytes) * (1.0 - ctx.uc.memorySafetyMargin));
  if (!ctx.hw.assumed && g.freeBytes > 0) usable = std::min(usable, g.freeBytes);
  return usable - kCudaContextBytes;
}

struct Capacity {
  int64_t bytes = 0;
  std::string device, how;
};

Capacity smallestCapacity(const PlanContext& ctx) {
  Capacity cap;
  if (ctx.gpus.empty()) {
    // Volumes are read from the chunk cache: RAM holds its budget, never the decoded dataset.
    int64_t ram = int64_t(double(ctx.hw.ramBytes) * (1.0 - ctx.uc.memorySafetyMargin)) -
                  ctx.chunkCacheBytes - hostProcessBytes();
    cap.bytes = ram / ctx.cpuRanks;
    cap.device = "cpu";
    cap.how = fmt::format("RAM {} less {:.0f}% margin, the {} chunk cache and ~{} of process memory{}",
                          gib(ctx.hw.ramBytes), ctx.uc.memorySafetyMargin * 100, mib(ctx.chunkCacheBytes),
                          gib(hostProcessBytes()),
                          ctx.cpuRanks > 1 ? fmt::format(", shared by {} ranks", ctx.cpuRanks) : "");
    return cap;
  }
  cap.bytes = LLONG_MAX;
  // ResEnc M/L/XL: nnU-Net plans them for 8/24/40 GB, whatever the device has beyond that.
  const int64_t target = archMemoryTargetBytes(ctx.plan.config.model.arch);
  for (int i : ctx.gpus) {
    int64_t b = deviceCapacity(ctx, ctx.hw.gpus[size_t(i)]);
    if (target > 0) b = std::min(b, target);
    if (b < cap.bytes) {
      cap.bytes = b;
      cap.device = fmt::format("cuda:{}", i);
    }
  }
  cap.how = fmt::format("{} of {} less {:.0f}% margin and ~{} CUDA context", cap.device,
                        gib(ctx.hw.gpus[size_t(ctx.gpus.front())].totalBytes),
                        ctx.uc.memorySafetyMargin * 100, mib(kCudaContextBytes));
  if (target > 0)
    cap.how += fmt::format(", at most {} ({} is planned for that)", gib(target),
                           archName(ctx.plan.config.model.arch));
  return cap;
}

// DataParallel's extra on device 0: the gathered logits (and their gradient) for the whole
// batch, and every other replica's gradients reduced there.
int64_t dataParallelExtra(const PlanContext& ctx, int patch, int batch) {
  if (ctx.plan.config.distributed.strategy != StrategyKind::DataParallel) return 0;
  int n = ctx.localDevices();
  int64_t voxels = int64_t(patch) * patch * patch;
  return int64_t(n) * batch * voxels * 4 * 2 +
         int64_t(n - 1) * estimateParameters(ctx.plan.config.model) * 4;
}

int fitBatch(const PlanContext& ctx, int patch, int64_t capacity) {
  // ResEnc: the number of stages follows the patch.
  auto m = estimateTrainingMemory(modelForPatch(ctx.plan.config.model, patch), patch, 1,
                                  ctx.bytesPerElement);
  int64_t perSample = m.activationBytes + dataParallelExtra(ctx, patch, 1) -
                      dataParallelExtra(ctx, patch, 0);
  int64_t room = capacity - m.parameterBytes - dataParallelExtra(ctx, patch, 0);
  if (room <= 0 || perSample <= 0) return 0;
  return int(std::min<int64_t>(room / perSample, 1024));
}

}  // namespace

void chooseAmp(PlanContext& ctx) {
  TrainConfig& c = ctx.plan.config;
  auto forced = ctx.uc.amp;
  bool cpu = ctx.gpus.empty();
  std::string reason;
  if (forced && *forced != AmpMode::Auto) {
    // The same decision the strategies make at start: a mode this hardware would only emulate
    // (many times slower) is refused here, with the reason, before anything runs.
    PrecisionHardware hw;
    hw.cuda = !cpu;
    if (!cpu) hw.computeMajor = minCompute(ctx, &hw.computeMinor);
    hw.cpuNativeBf16 = ctx.hw.cpuBf16;
    hw.cpuIsa = cpuVectorIsaName(ctx.hw.cpuIsa);
    choosePrecision(*forced, hw, nullptr);
    c.run.amp = *forced;
    reason = "Set with --amp.";
  } else if (cpu) {
    c.run.amp = AmpMode::Off;
    reason = "CPU trains in fp32 by default.";
    if (ctx.hw.cpuBf16)
      reason += fmt::format(" This CPU has native bf16 ({}): --amp bf16 is ~1.4x faster on conv3d.",
                            cpuVectorIsaName(ctx.hw.cpuIsa));
    else
      reason += fmt::format(" This CPU ({}) has no native bf16, so --amp bf16 is refused.",
                            cpuVectorIsaName(ctx.hw.cpuIsa));
  } else {
    int minor = 0;
    int major = minCompute(ctx, &minor);
    std::string cc = fmt::format("sm{}{}", major, minor);
    if (major >= 8) {
      c.run.amp = AmpMode::Bf16;
      reason = cc + ": bf16 tensor cores; bf16 keeps fp32's range, so no loss scaling is needed.";
    } else if (major >= 7) {
      c.run.amp = AmpMode::Fp16;
      reason = cc + (minor >= 5 ? " (Turing, e.g. T4)" : " (Volta, e.g. V100)") + ": fp16 tensor cores roughly double conv throughput and "
                    "halve activation memory; dynamic loss scaling guards against underflow.";
    } else {
      c.run.amp = AmpMode::Off;
      reason = cc + ": no tensor cores, so fp16 brings little speed and needs loss scaling; fp32.";
    }
  }
  ctx.bytesPerElement = c.run.amp == AmpMode::Off ? 4 : 2;
  ctx.step("Mixed precision?", ampName(c.run.amp), reason);
  ctx.plan.reasons.push_back(std::string("AMP ") + ampName(c.run.amp) + ": " + reason);
}

void choosePatchAndBatch(PlanContext& ctx) {
  TrainConfig& c = ctx.plan.config;
  // ResEnc adapts its stages to the patch; multiples of 16 give it at least 5 at 64^3.
  const int multiple = isResEnc(c.model.arch) ? 16 : 1 << std::max(0, c.model.levels - 1);
  const bool cpu = ctx.gpus.empty();
  const auto& fp = ctx.fp;
  int64_t bound = 0;
  std::string boundText;
  if (!fp.minShape.empty()) {
    bound = std::min({fp.minShape.d, fp.minShape.h, fp.minShape.w});
    boundText = fp.minShape.str();
  } else {
    ctx.plan.warnings.push_back("No training volumes in the fingerprint: the patch is not bounded "
                                "by the data.");
  }

  Capacity cap = smallestCapacity(ctx);
  std::string patchReason;
  int patch = 0, batch = 0;
  if (ctx.uc.patch) {
    patch = *ctx.uc.patch;
    if (patch < multiple || patch % multiple != 0)
      throw Error(fmt::format("--patch {}: must be a positive multiple of {} ({} levels pool {} "
                              "times)", patch, multiple, c.model.levels, c.model.levels - 1));
    if (bound && patch > bound)
      throw Error(fmt::format("--patch {}: larger than the smallest training volume ({})", patch,
                              boundText));
    patchReason = "Set with --patch.";
  } else {
    std::vector<int> candidates;
    int top = cpu ? kCpuPatch : kGpuMaxPatch;
    for (int p = top; p >= std::max(multiple, kMinPatch); p -= multiple)
      if (!bound || p <= bound) candidates.push_back(p);
    if (candidates.empty())
      throw Error(fmt::format("The smallest training volume ({}) is below the minimum patch {}^3 "
                              "({}-level UNet); use fewer --levels or give --patch",
                              boundText, std::max(multiple, kMinPatch), c.model.levels));
    patch = candidates.back();
    // Largest patch that still fits two samples per device (nnU-Net: context first, batch >= 2).
    for (int p : candidates)
      if (fitBatch(ctx, p, cap.bytes) >= 2) {
        patch = p;
        break;
      }
    if (cpu)
      patchReason = fmt::format("CPU is compute-bound: {}^3 keeps steps short", patch);
    else
      patchReason = fmt::format("largest patch up to {}^3 that fits 2 samples on {}", kGpuMaxPatch,
                                cap.device);
    if (bound) patchReason += fmt::format("; bounded by the smallest volume {}", boundText);
    if (isResEnc(c.model.arch))
      patchReason += fmt::format("; {} gives {} ResEnc stages (deepest map >= 4 voxels).",
                                 patch, resEncStagesForPatch(patch));
    else
      patchReason += fmt::format("; a multiple of {} so {} poolings divide it.", multiple,
                                 c.model.levels - 1);
  }
  c.data.patch = patch;
  c.model = modelForPatch(c.model, patch);
  ctx.step("Patch size?", fmt::format("{}^3", patch), patchReason);
  ctx.plan.reasons.push_back(fmt::format("Patch {}^3: {}", patch, patchReason));

  int fits = fitBatch(ctx, patch, cap.bytes);
  std::string batchReason;
  if (ctx.uc.batchPerDevice) {
    batch = *ctx.uc.batchPerDevice;
    if (batch < 1) throw Error("--batch must be at least 1");
    batchReason = "Set with --batch.";
    if (batch > fits)
      ctx.plan.warnings.push_back(fmt::format(
          "Batch {} per device is estimated not to fit ({} usable on {}); training halves the "
          "micro-batch on out-of-memory and keeps the global batch by accumulation.",
          batch, gib(cap.bytes), cap.device));
  } else {
    int limit = cpu ? kCpuBatch : kGpuMaxBatch;
    batch = std::clamp(fits, 1, limit);
    batchReason = fmt::format("estimated {} per sample (activations) + {} (weights, grads, AdamW) "
                              "against {} usable ({}): {} fit{}",
                              gib(estimateActivationBytes(c.model, patch, 1, ctx.bytesPerElement)),
                              gib(estimateTrainingMemory(c.model, patch, 1, 4).parameterBytes),
                              gib(cap.bytes), cap.how, fits,
                              fits > limit ? fmt::format(", capped at {}{}", limit,
                                                         cpu ? " (CPU throughput does not grow with batch)"
                                                             : " (more devices scale better than bigger batches)")
                                           : "");
    if (fits < 1) {
      batchReason += "; 1 is the minimum";
      ctx.plan.warnings.push_back(fmt::format(
          "Even one {}^3 sample is estimated not to fit on {}: expect out-of-memory fallbacks; "
          "try fewer --base-channels or a smaller --patch.", patch, cap.device));
    }
    batchReason += ".";
  }
  c.data.batchPerDevice = batch;
  ctx.plan.globalBatch = int64_t(batch) * ctx.localDevices() * ctx.hw.nodes;
  ctx.step("Batch per device?",
           fmt::format("{} (global {} = {} x {} device{}{})", batch, ctx.plan.globalBatch, batch,
                       ctx.localDevices(), ctx.localDevices() == 1 ? "" : "s",
                       ctx.hw.nodes > 1 ? fmt::format(" x {} nodes", ctx.hw.nodes) : ""),
           batchReason);
  ctx.plan.reasons.push_back(fmt::format("Batch {} per device: {}", batch, batchReason));

  // Budgets, per device as the GUI lists them.
  auto mem = estimateTrainingMemory(c.model, patch, batch, ctx.bytesPerElement);
  if (cpu) {
    for (int r = 0; r < ctx.cpuRanks; ++r)
      ctx.plan.budgets.push_back({ctx.cpuRanks > 1 ? fmt::format("cpu:{}", r) : "cpu", cap.bytes,
                                  mem.totalBytes()});
  } else {
    for (size_t k = 0; k < ctx.gpus.size(); ++k) {
      const auto& g = ctx.hw.gpus[size_t(ctx.gpus[k])];
      int64_t est = mem.totalBytes() + kCudaContextBytes +
                    (k == 0 ? dataParallelExtra(ctx, patch, batch) : 0);
      ctx.plan.budgets.push_back({fmt::format("cuda:{}", g.index), g.totalBytes, est});
    }
    if (c.distributed.strategy == StrategyKind::DataParallel && ctx.gpus.size() > 1)
      ctx.plan.reasons.push_back(fmt::format(
          "DataParallel: device 0 needs ~{} more than the others (gathered outputs and reduced "
          "gradients).", gib(dataParallelExtra(ctx, patch, batch))));
  }
}

void chooseWorkers(PlanContext& ctx) {
  TrainConfig& c = ctx.plan.config;
  int cores = std::max(1, ctx.hw.cpuCores);
  int n = ctx.localDevices();
  c.data.augment = ctx.uc.augment.value_or(c.data.augment);
  // Loader threads are sized from what one of them makes per second with this augmentation at
  // this patch (measured by vwb bench-data) against what the devices consume.
  const double perThread = augmentPatchesPerSecond(c.data.augment, c.data.patch);
  std::string reason;
  if (ctx.gpus.empty()) {
    // Sampling and augmentation are cheap next to CPU conv3d: few workers, all cores compute.
    c.data.workers = cores <= 4 ? 1 : 2;
    c.data.prefetch = 2 * n + 2;
    c.run.threads = cores;
    reason = fmt::format("{} cores: {} data worker{} (patch sampling is cheap next to CPU convolutions: "
                         "{} augmentation ~{:.1f} ms of one core per {}^3 patch), prefetch {}; {} intra-op threads{}",
                         cores, c.data.workers, c.data.workers == 1 ? "" : "s", augmentPresetName(c.data.augment),
                         1e3 / perThread, c.data.patch, c.data.prefetch, c.run.threads,
                         n > 1 ? fmt::format(" shared by {} ranks ({} each)", n, std::max(1, cores / n))
                               : "");
  } else {
    // What n fast GPUs consume (kAssumedGpuSamplesPerSec at 128^3, scaled by voxels), with 25 %
    // headroom so the data wait stays under 2 %; at least the old rule's threads where cores are
    // free (idle loader threads cost nothing), never more than the cores left to the drivers.
    const double consumed = n * kAssumedGpuSamplesPerSec * std::pow(128.0 / c.data.patch, 3);
    const int needed = std::max(1, int(std::ceil(consumed * 1.25 / perThread)));
    const int free = std::max(1, cores - n);
    c.data.workers = std::clamp(std::max(needed, std::min(free, 4 * n)), 1, free);
    c.data.prefetch = std::max(4, 2 * n);
    c.run.threads = std::max(1, std::min(4, cores / (2 * n)));
    reason = fmt::format("{} cores: one driver thread per GPU; {} augmentation makes ~{:.0f} {}^3 patches/s per "
                         "loader thread (measured), {} GPU{} take ~{:.0f}/s (assumed: {:.0f}/s per GPU at 128^3, "
                         "a ResEnc-M on an A100), so {} loader thread{} the data wait under 2 %: {} data "
                         "workers, prefetch {} batches; {} intra-op thread{} per device",
                         cores, augmentPresetName(c.data.augment), perThread, c.data.patch, n, n == 1 ? "" : "s", consumed,
                         kAssumedGpuSamplesPerSec, needed, needed == 1 ? " keeps" : "s keep", c.data.workers, c.data.prefetch,
                         c.run.threads, c.run.threads == 1 ? "" : "s");
    if (needed > free)
      ctx.plan.warnings.push_back(fmt::format(
          "{} augmentation needs ~{} loader threads to feed {} GPU{} at {}^3, but only {} core{} are left: "
          "expect the GPUs to wait for data; --augment light costs ~{:.0f}x less.",
          augmentPresetName(c.data.augment), needed, n, n == 1 ? "" : "s", c.data.patch, free, free == 1 ? "" : "s",
          perThread > 0 ? augmentPatchesPerSecond(AugmentPreset::Light, c.data.patch) / perThread : 1.0));
  }
  ctx.step("Data workers?", fmt::format("{} workers, prefetch {}", c.data.workers, c.data.prefetch), reason);
  ctx.plan.reasons.push_back("Workers: " + reason + ".");
  std::string costs;
  for (auto p : {AugmentPreset::None, AugmentPreset::Light, AugmentPreset::NnUnet, AugmentPreset::Strong})
    costs += fmt::format("{}{} {:.0f}/s", costs.empty() ? "" : ", ", augmentPresetName(p),
                         augmentPatchesPerSecond(p, c.data.patch));
  const std::string why = fmt::format("{}^3 patches one loader thread augments per CPU-second (vwb bench-data): {}; "
                                      "nnunet is nnU-Net's default 3D pipeline, strong adds elastic deformation, "
                                      "illumination and blank boxes", c.data.patch, costs);
  ctx.step("Augmentation?", augmentPresetName(c.data.augment), why);
  ctx.plan.reasons.push_back(fmt::format("Augmentation {} (--augment none|light|nnunet|strong): {}.",
                                         augmentPresetName(c.data.augment), why));
}

}  // namespace vwb::plan_detail

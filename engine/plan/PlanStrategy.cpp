// Decision tree, first half: how many machines and devices, and which strategy drives them.
#include <fmt/format.h>

#include "engine/core/DeviceName.h"
#include "engine/core/Error.h"
#include "engine/plan/detail/Format.h"
#include "engine/plan/detail/PlanContext.h"

namespace vwb::plan_detail {
namespace {

// Rough scaling from the seed's measurements and common DDP experience; `vwb bench-dist` and
// `vwb plan --probe` measure the real thing.
double ddpSpeedup(int n) { return n <= 1 ? 1.0 : 0.9 * n; }
double dpSpeedup(int n) { return n <= 1 ? 1.0 : 1.0 + 0.6 * (n - 1); }

const char* kThreadsNotNotebook =
    "Ranks are worker threads of this process, not Python processes, so DDP also works inside the "
    "workbench GUI; the seed's reason to fall back to DataParallel in notebooks does not apply.";

// --devices given: "cpu", "cpu:N" or a list of "cuda:I".
void applyForcedDevices(PlanContext& ctx) {
  for (const auto& d : ctx.uc.devices) {
    DeviceName parsed;
    try {
      parsed = parseDeviceName(d);  // engine/core/DeviceName.h
    } catch (const Error& e) {
      throw Error(std::string("--devices: ") + e.what());
    }
    if (!parsed.cuda) {
      if (parsed.index == 0 || parsed.index > 256) throw Error("--devices '" + d + "': expected cpu:N with N >= 1");
      ctx.cpuRanks = parsed.index < 0 ? 1 : parsed.index;
    } else {
      if (parsed.index >= int(ctx.hw.gpus.size()))
        throw Error(fmt::format("--devices '{}': no such GPU (this {} has {} GPU{})", d,
                                ctx.hw.assumed ? "assumed inventory" : "machine",
                                ctx.hw.gpus.size(), ctx.hw.gpus.size() == 1 ? "" : "s"));
      ctx.gpus.push_back(parsed.index);
    }
  }
  bool anyCpu = ctx.uc.devices.size() > ctx.gpus.size();
  if (anyCpu && !ctx.gpus.empty()) throw Error("--devices: CPU and CUDA devices cannot be mixed");
}

void addOptions(PlanContext& ctx, StrategyKind chosen) {
  int n = ctx.localDevices() * ctx.hw.nodes;
  bool multi = n > 1;
  std::vector<StrategyOption> all;
  all.push_back({StrategyKind::Ddp, false,
                 ctx.gpus.empty()
                     ? "DDP over CPU ranks: each rank a thread with its own replica, optimizer, "
                       "batch shard and share of the intra-op threads; gradients all-reduced with Gloo"
                     : "DDP in worker threads: one thread, replica, optimizer and batch shard per "
                       "GPU; ~25 MB gradient buckets all-reduced (NCCL) while backward still runs",
                 "Each device holds a full replica and optimizer state; every step all-reduces "
                 "the whole gradient (overlapped with backward).",
                 ddpSpeedup(n)});
  // DataParallel wherever DDP runs on one machine: several GPUs, or CPU ranks (which DDP over
  // CPU ranks offers even when the plan is one CPU process; choosing either makes the ranks).
  if (ctx.hw.nodes == 1 && (multi || ctx.gpus.empty()))
    all.push_back({StrategyKind::DataParallel, false,
                   ctx.gpus.empty()
                       ? "DataParallel over CPU ranks: one driver replicates the model per rank, "
                         "runs the replicas in parallel threads, gathers the gradients on rank 0 "
                         "and steps once"
                       : "DataParallel: one driver thread replicates the model, scatters the batch, "
                         "runs the replicas in parallel, gathers the loss on device 0 and steps once",
                   "Device 0 is the bottleneck: it gathers every output, receives every replica's "
                   "gradients, runs the only optimizer step and re-copies the parameters to all "
                   "devices each step, so it needs more memory than the others and the devices "
                   "wait for it (the seed saw 2-2.5x on 2 GPUs where DDP reached ~1.9x per GPU).",
                   dpSpeedup(n)});
  if (ctx.hw.nodes == 1)
    all.push_back({StrategyKind::Single, false,
                   "One device: the simplest path, best for debugging",
                   multi ? fmt::format("Uses 1 of {} devices.", n) : "No copies, no communication: the whole batch on one device.", 1.0});
  for (auto& o : all)
    if (o.kind == chosen) {
      o.recommended = true;
      ctx.plan.options.insert(ctx.plan.options.begin(), o);
    } else {
      ctx.plan.options.push_back(o);
    }
}

void validateForced(const PlanContext& ctx, StrategyKind s) {
  if (ctx.hw.nodes > 1 && s == StrategyKind::DataParallel)
    throw Error(fmt::format("--strategy dp: DataParallel drives the devices of one machine from one "
                            "thread and cannot span {} nodes; use --strategy ddp",
                            ctx.hw.nodes));
  if (ctx.hw.nodes > 1 && s == StrategyKind::Single)
    throw Error(fmt::format("--strategy single cannot use {} nodes; use --strategy ddp or --nodes 1",
                            ctx.hw.nodes));
}

}  // namespace

void chooseStrategy(PlanContext& ctx) {
  const auto& hw = ctx.hw;
  Plan& plan = ctx.plan;
  TrainConfig& c = plan.config;

  if (hw.nodes > 1) {
    ctx.step("Several machines?", fmt::format("yes, {} nodes", hw.nodes),
             "The DDP engine spans machines through a c10d TCPStore rendezvous that node 0 binds; "
             "each node runs its local devices as threads. Start `vwb train --nnodes N "
             "--node-rank R --master HOST:PORT` on every node (or set MASTER_ADDR, MASTER_PORT, "
             "WORLD_SIZE, RANK as torchrun does).");
    c.distributed.nnodes = hw.nodes;
    c.distributed.master = ctx.uc.master;
    if (c.distributed.master.empty())
      plan.warnings.push_back("Several nodes but no --master HOST:PORT: set it (or MASTER_ADDR and "
                              "MASTER_PORT) before training; node 0 binds the store there.");
  } else {
    ctx.step("Several machines?", "no, this one",
             "Everything runs in one process: one worker thread per device.");
  }

  bool forcedDevices = !ctx.uc.devices.empty();
  if (forcedDevices) applyForcedDevices(ctx);
  else
    for (const auto& g : hw.gpus) ctx.gpus.push_back(g.index);

  std::string gpuAnswer =
      hw.gpus.empty() ? fmt::format("none: CPU only ({} cores, {} RAM)", hw.cpuCores, gib(hw.ramBytes))
                      : hw.summary();
  ctx.step("Which GPUs can training use?", gpuAnswer,
           hw.gpus.empty() ? "LibTorch sees no CUDA device: training runs on CPU threads."
           : forcedDevices ? "Devices chosen with --devices."
                           : "Every visible GPU is used; --devices narrows the choice.");

  std::optional<StrategyKind> forced = ctx.uc.strategy;
  if (forced && *forced == StrategyKind::Auto) forced.reset();
  StrategyKind s;
  std::string reason;
  if (forced) {
    validateForced(ctx, *forced);
    s = *forced;
    reason = "Set with --strategy.";
    if (s == StrategyKind::Single && ctx.localDevices() > 1) {
      if (!ctx.gpus.empty()) ctx.gpus.resize(1);
      ctx.cpuRanks = 1;
      plan.warnings.push_back("--strategy single uses one device; the others stay idle.");
    }
    if (s != StrategyKind::Single && ctx.localDevices() * hw.nodes == 1) {
      if (ctx.gpus.empty() && !forcedDevices) {
        ctx.cpuRanks = std::max(2, ctx.uc.cpuRanks);
        reason += fmt::format(" No GPU: {} CPU ranks (override with --devices cpu:N).", ctx.cpuRanks);
      } else {
        plan.warnings.push_back(std::string("--strategy ") + strategyName(s) +
                                " on one device has no speed-up; it only exercises the machinery.");
      }
    }
    if (s == StrategyKind::DataParallel)
      reason += " DDP would be faster: DataParallel funnels outputs, gradients and the optimizer "
                "step through device 0.";
  } else if (hw.nodes > 1) {
    s = StrategyKind::Ddp;
    reason = "Several nodes: only DDP spans machines (gradients all-reduced over the network).";
  } else if (!ctx.gpus.empty() && ctx.gpus.size() >= 2) {
    s = StrategyKind::Ddp;
    reason = fmt::format(
        "{} GPUs: DDP in worker threads is fastest (~{:.1f}x): every device runs forward, backward "
        "and its optimizer step in parallel with balanced memory, and gradient all-reduce overlaps "
        "with backward. {}",
        ctx.gpus.size(), ddpSpeedup(int(ctx.gpus.size())), kThreadsNotNotebook);
  } else if (!ctx.gpus.empty()) {
    s = StrategyKind::Single;
    reason = "One GPU: single-device training; nothing to synchronise.";
  } else if (forcedDevices && ctx.cpuRanks > 1) {
    s = StrategyKind::Ddp;
    reason = fmt::format("--devices cpu:{} asks for {} CPU ranks: DDP over Gloo.", ctx.cpuRanks,
                         ctx.cpuRanks);
  } else {
    // CPU only: separate ranks help only when one process cannot keep all cores busy.
    const auto& measured = ctx.uc.measuredCpuRanksSpeedup;
    if (measured && *measured > 1.1) {
      s = StrategyKind::Ddp;
      ctx.cpuRanks = std::max(2, ctx.uc.cpuRanks);
      reason = fmt::format("Measured: {} CPU ranks train {:.2f}x faster than one process with all "
                           "{} threads, so DDP over CPU ranks.",
                           ctx.cpuRanks, *measured, hw.cpuCores);
    } else if (measured) {
      s = StrategyKind::Single;
      reason = fmt::format("Measured: {} CPU ranks reach only {:.2f}x of one process, so a single "
                           "process with all {} threads.",
                           std::max(2, ctx.uc.cpuRanks), *measured, hw.cpuCores);
    } else if (hw.cpuCores >= 16) {
      s = StrategyKind::Ddp;
      ctx.cpuRanks = hw.cpuCores / 8;
      reason = fmt::format(
          "{} cores: conv3d's intra-op parallelism flattens out around 8 threads per process, so "
          "{} CPU ranks with 8 threads each keep more cores busy (estimate; --probe measures it).",
          hw.cpuCores, ctx.cpuRanks);
    } else {
      s = StrategyKind::Single;
      reason = fmt::format("{} cores: one process with all {} intra-op threads uses the CPU fully; "
                           "extra ranks would only add all-reduce work (--probe measures it).",
                           hw.cpuCores, hw.cpuCores);
    }
  }

  c.distributed.strategy = s;
  c.distributed.devices.clear();
  if (ctx.gpus.empty()) {
    c.distributed.devices.push_back(ctx.cpuRanks > 1 ? fmt::format("cpu:{}", ctx.cpuRanks) : "cpu");
  } else {
    for (int i : ctx.gpus) c.distributed.devices.push_back(fmt::format("cuda:{}", i));
  }
  plan.worldSize = ctx.localDevices() * hw.nodes;
  std::string answer = strategyName(s);
  if (s == StrategyKind::Ddp) answer = fmt::format("DDP, {} rank{} ({})", plan.worldSize,
                                                   plan.worldSize == 1 ? "" : "s",
                                                   ctx.gpus.empty() ? "Gloo" : "NCCL");
  if (s == StrategyKind::DataParallel) answer = fmt::format("DataParallel over {} devices", plan.worldSize);
  if (s == StrategyKind::Single) answer = "single device (" + c.distributed.devices.front() + ")";
  ctx.step("Which strategy?", answer, reason);
  plan.reasons.push_back("Strategy: " + reason);
  addOptions(ctx, s);
}

}  // namespace vwb::plan_detail

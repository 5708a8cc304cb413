#include "engine/trainer/StrategyBench.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/distributed/torch/DdpThreadsStrategy.h"
#include "engine/train/torch/DeviceSupport.h"
#include "engine/trainer/detail/Strategies.h"

namespace vwb::dist {

StrategyBenchResult benchStrategy(const TrainConfig& config, int warmupSteps, int steps) {
  StrategyBenchResult r;
  r.strategy = strategyName(config.distributed.strategy);
  // 0 = every logical core, as in training (LibTorch's own default is the physical cores, which
  // would give the single-device row half the threads of the rank rows on SMT machines).
  torch::set_num_threads(config.run.threads > 0 ? config.run.threads
                                            : std::max(1, int(std::thread::hardware_concurrency())));
  r.threads = torch::get_num_threads();
  try {
    auto strategy = makeStrategy(config);
    StrategyContext ctx;
    ctx.config = config;
    strategy->setup(ctx);
    r.devices = strategy->devices();
    r.globalBatch = int64_t(config.data.batchPerDevice) * int64_t(r.devices.size());
    auto* ddp = dynamic_cast<DdpThreadsStrategy*>(strategy.get());
    auto gen = at::detail::createCPUGenerator(config.run.seed);
    const int64_t p = config.data.patch;
    GlobalBatch batch;
    batch.image = torch::randn({r.globalBatch, 1, p, p, p}, gen);
    batch.label = torch::randint(0, 2, {r.globalBatch, 1, p, p, p}, gen, torch::kUInt8);
    std::chrono::steady_clock::time_point start;
    for (int s = 0; s < warmupSteps + steps; ++s) {
      if (s == warmupSteps) start = std::chrono::steady_clock::now();
      batch.step = s;
      strategy->step(batch, config.optimizer.lr);
      if (ddp && s >= warmupSteps) {
        const auto& c = ddp->lastCommStats();
        r.buckets = c.buckets;
        r.allreduceSecPerStep += c.allreduceSec / steps;
        r.exposedSecPerStep += c.exposedSec / steps;
        r.overlapFraction += c.overlapFraction() / steps;
      }
    }
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.secondsPerStep = total / steps;
    r.samplesPerSec = double(r.globalBatch) * steps / total;
  } catch (const std::exception& e) {
    r.outOfMemory = isOutOfMemory(e);
    r.error = e.what();
  }
  return r;
}

}  // namespace vwb::dist

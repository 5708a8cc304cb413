// The training benchmark (Trainer.h: benchmarkTraining): the real step (same pipeline, strategy
// and kernels) timed without a run folder.
#include <chrono>

#include "engine/trainer/Trainer.h"
#include "engine/core/HeapReuse.h"
#include "engine/trainer/detail/Strategies.h"
#include "engine/trainer/detail/TrainingRun.h"

namespace vwb {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

TrainBenchmark benchmarkTraining(const TrainConfig& config,
                                 const std::vector<TrainingVolume>& volumes, int warmupSteps,
                                 int steps, LogSink& log) {
  TrainConfig c = config;
  if (c.run.dir.empty()) c.run.dir = "(benchmark)";
  checkTrainConfig(c);
  TrainBenchmark b;
  b.threads = resolveThreads(c.run.threads);
  torch::set_num_threads(b.threads);
  keepFreedMemoryForReuse();
  MemoryTrainingSource source(volumes);
  std::vector<int> all;
  for (int i = 0; i < static_cast<int>(volumes.size()); ++i) all.push_back(i);
  PatchSampler sampler(source, all, normalizationOf(source, all), c.data.patch, c.data.foregroundFraction,
                       augmentOptions(c.data.augment));
  auto strategy = makeStrategy(c);
  StrategyContext context;
  context.config = c;
  context.log = &log;
  strategy->setup(context);
  b.globalBatch = static_cast<int64_t>(c.data.batchPerDevice) *
                  static_cast<int64_t>(strategy->devices().size()) * c.optimizer.gradAccumulation;
  b.precision = strategy->precisionName();
  b.device = strategy->devices()[0];
  BatchPipelineOptions po;
  po.batchSize = b.globalBatch;
  po.workers = c.data.workers;
  po.prefetch = c.data.prefetch;
  po.seed = c.run.seed;
  po.endStep = warmupSteps + steps;
  BatchPipeline pipeline(sampler, po);
  double waited = 0;
  Clock::time_point start;
  for (int s = 0; s < warmupSteps + steps; ++s) {
    if (s == warmupSteps) {
      start = Clock::now();
      waited = pipeline.waitSeconds();
    }
    auto batch = pipeline.next();
    strategy->step(withSkeletons(c.optimizer, toGlobalBatch(std::move(batch))), c.optimizer.lr);
  }
  double total = secondsSince(start);
  b.steps = steps;
  b.secondsPerStep = total / steps;
  b.samplesPerSec = static_cast<double>(b.globalBatch * steps) / total;
  b.dataWaitFraction = (pipeline.waitSeconds() - waited) / total;
  auto memory = strategy->memory();
  if (!memory.empty()) b.peakMemoryBytes = std::max(memory[0].peakBytes, memory[0].allocatedBytes);
  return b;
}

}  // namespace vwb

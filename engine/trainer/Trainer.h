#pragma once
// The engine's door to training: runs one training run to its end (or until cancelled), writing
// RUN/config.json, RUN/logs/training.log, RUN/metrics.jsonl and RUN/checkpoints/{last,best}.pt.
// Blocks the calling thread; the GUI calls it from a worker thread. Every strategy the engine
// has (single, ddp, dp, auto; several nodes) is available to every caller: the trainer module
// builds them itself (detail/Strategies.h), nothing has to be registered first.
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainingEvents.h"
#include "engine/train/TrainingSource.h"
#include "engine/train/TrainingData.h"
#include "engine/train/TrainingVolume.h"
#include "engine/train/ValidationRecord.h"

namespace vwb {

// Cancelling finishes the current step, writes last.pt and returns RunOutcome::Stopped.
// Dataset errors and bad settings throw vwb::Error before training starts.
RunEndEvent runTraining(const TrainConfig& config, TrainingSink& sink, const CancelToken& cancel);

// The same on labelled volumes already in memory (config.dataDir is not read).
RunEndEvent runTraining(const TrainConfig& config, const std::vector<TrainingVolume>& volumes,
                        TrainingSink& sink, const CancelToken& cancel);
// The same on any source (e.g. the chunk cache from openTrainingSource).
RunEndEvent runTraining(const TrainConfig& config, const TrainingSource& source, TrainingSink& sink,
                        const CancelToken& cancel);

// Where a run's settings live: RUN/config.json for node 0 (and single-node runs), and
// RUN/nodes/node-R/config.json for node R of a multi-node run.
std::string runConfigPath(const std::string& runDir, int nodeRank = 0);
// Reads them (for resume and for the GUI); node R falls back to node 0's file when it has none.
TrainConfig loadRunConfig(const std::string& runDir, int nodeRank = 0);

// The full sliding-window validation of one of a run's checkpoints (best | last | ema) on the
// run's held-out volumes, as the run's end does it for its final model: reads RUN/config.json and
// the dataset it names, takes the run folder's lock (not while the run trains), writes
// RUN/validation/NAME.json and returns it. `vwb validate --run RUN`; the GUI calls it on a worker
// thread. Throws vwb::Error naming the file for a missing checkpoint or a run without held-out
// volumes, vwb::Cancelled when cancelled (nothing is written then).
FullValidationRecord validateRun(const std::string& runDir, const std::string& checkpoint, LogSink& log,
                                 ProgressSink* progress, const CancelToken& cancel);

// Throughput of the real training step (same pipeline, strategy and kernels) without a run dir.
struct TrainBenchmark {
  int64_t steps = 0, globalBatch = 0;
  double samplesPerSec = 0;
  double dataWaitFraction = 0;  // share of step time spent waiting for batches
  double secondsPerStep = 0;
  int threads = 0;
  std::string precision, device;
  int64_t peakMemoryBytes = 0;  // CUDA peak allocation, or process RSS on the CPU
};
TrainBenchmark benchmarkTraining(const TrainConfig& config,
                                 const std::vector<TrainingVolume>& volumes, int warmupSteps,
                                 int steps, LogSink& log);

}  // namespace vwb

#pragma once
// The training loop (private: torch). One fixed sequence with hook points, like nnU-Net's
// trainer: onRunStart -> [onEpochStart -> trainStep x N -> validate -> onEpochEnd] x epochs.
// What varies between single- and multi-device training lives in the TrainStrategy, not here.
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/model/Normalization.h"
#include "engine/train/BatchPipeline.h"
#include "engine/train/MetricsJsonl.h"
#include "engine/train/PatchSampler.h"
#include "engine/train/RunLog.h"
#include "engine/trainer/LoopState.h"
#include "engine/trainer/Trainer.h"
#include "engine/trainer/detail/Validator.h"
#include "engine/train/ValidationPlan.h"
#include "engine/train/ValidationPreview.h"
#include "engine/train/torch/TrainStrategy.h"
#include "engine/train/torch/TrainingOptions.h"
#include "engine/train/torch/WeightEma.h"

namespace vwb {

// What the run and the training benchmark (TrainBenchmark.cpp) set up alike (TrainingSetup.cpp).
// Throws vwb::Error naming the first setting a run cannot start with.
void checkTrainConfig(const TrainConfig& c);
// `requested`, or every core when 0.
int resolveThreads(int requested);
// The batch's buffers become the tensors' storage (no copy); the tensors keep the batch alive.
GlobalBatch toGlobalBatch(std::shared_ptr<Batch> batch);
// From the summed intensity histograms of `volumes` (indices into source.volumes()).
Normalization normalizationOf(const TrainingSource& source, const std::vector<int>& volumes);


class TrainingRun {
 public:
  TrainingRun(const TrainConfig& config, const TrainingSource& source, TrainingSink& sink,
              const CancelToken& cancel);
  RunEndEvent run();  // takes the run folder's lock, then runLocked(); errors go to training.log

 private:
  // Hook points, called in this order by run().
  void onRunStart();
  void onEpochStart(int64_t epoch);
  void trainStep();
  // Validation of the held-out volumes (TrainingValidation.cpp): the fixed patch set or the full
  // sliding window, as planned at the start (val_patches, val_every); nullopt when cancelled.
  std::optional<ValidationResult> validate();
  void planValidation();                       // resolves val_patches auto, builds validator_
  bool validatesAfter(int64_t epoch) const;    // every val_every epochs and after the last
  bool validateAtEnd();                        // the full sliding window; false when cancelled
  void adviseOnWaits(const StepEvent& e);  // the data-wait and communication warnings
  void onEpochEnd(int64_t epoch, std::optional<ValidationResult> validation, double seconds);

  RunEndEvent runLocked();
  void prepareData();
  void resumeFromCheckpoint();
  void writeCheckpoint(bool alsoBest);
  // RUN/previews/epoch-NNNN.tif and the pruning (a failure is a warning: previews are for looking).
  void writePreview(EpochEvent& e, EpochLineExtras& line, const ValidationResult& validation);
  std::string checkpointPath(const std::string& name) const;

  TrainConfig config_;
  const TrainingSource& source_;
  TrainingSink& sink_;
  const CancelToken& cancel_;
  std::unique_ptr<RunLog> log_;
  std::unique_ptr<TrainStrategy> strategy_;
  Normalization normalization_;
  std::vector<int> trainVolumes_, valVolumes_;  // indices into source_.volumes()
  std::unique_ptr<PatchSampler> trainSampler_;
  std::unique_ptr<Validator> validator_;
  ValidationPlan validationPlan_;
  double runSecondsAtValidation_ = 0;  // training seconds when the last validation ended
  std::optional<ValidationResult> lastFull_;  // a full validation's result and its step
  int64_t lastFullStep_ = -1;
  bool advisedValidation_ = false;  // the warning of a validation far above its planned share
  std::unique_ptr<BatchPipeline> pipeline_;
  std::unique_ptr<WeightEma> ema_;  // --ema
  LoopState state_;
  int64_t globalBatch_ = 0, totalSteps_ = 0, startStep_ = 0;
  double runSeconds_ = 0, samplesPerSecEma_ = 0;
  GlobalBatch nextBatch_;  // GPUs: the next step's batch, already handed to prefetch()
  std::deque<std::pair<double, double>> waitWindow_;  // data and comm wait of the last steps
  bool advisedData_ = false, advisedComm_ = false;
  int64_t simulatedOomStep_ = -1;  // VWB_FAULT_OOM_AT_STEP (1-based), for tests
  std::atomic<bool> simulatedOomDone_{false};  // rank threads call the hook concurrently
};

}  // namespace vwb

#pragma once
// Runs one training run to its end (or until cancelled), writing RUN/config.json,
// RUN/logs/training.log, RUN/metrics.jsonl and RUN/checkpoints/{last,best}.pt.
// Blocks the calling thread; the GUI calls it from a worker thread.
#include "engine/core/Reporting.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainingEvents.h"

namespace vwb {

// Cancelling finishes the current step, writes last.pt and returns RunOutcome::Stopped.
// Dataset errors and bad settings throw vwb::Error before training starts.
RunEndEvent runTraining(const TrainConfig& config, TrainingSink& sink, const CancelToken& cancel);

// Reads RUN/config.json (for resume and for the GUI).
TrainConfig loadRunConfig(const std::string& runDir);

}  // namespace vwb

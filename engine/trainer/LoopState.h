#pragma once
// The training loop's state in a checkpoint: one struct and its codec, the same for every
// strategy. It is the "trainer" object of last.pt's meta JSON (besides "config" and "data"); the
// strategy's own part of last.pt (optimizer, loss scaler, micro-batch) has its one schema in
// engine/train/torch/StrategyStep.h (OptimizerUpdate::save/load).
//
//   "trainer": {"epochs_done":3,"epoch_loss_sum":0.0,"epoch_loss_count":0,"has_ema":true,
//               "val_dice_ema":0.41,"best_val_dice_ema":0.41,"best_epoch":3,
//               "global_batch":4,"strategy":"ddp"}
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace vwb {

// All exact integers/doubles: a resume goes on with exactly these.
struct LoopState {
  int64_t step = 0;            // completed optimizer steps (the checkpoint's model section holds it)
  int64_t epochsDone = 0;      // epochs whose end (validation, checkpoint) has run
  double epochLossSum = 0;     // of the epoch in progress
  int64_t epochLossCount = 0;
  bool hasEma = false;
  double valDiceEma = 0, bestValDiceEma = -1;
  int64_t bestEpoch = 0;       // epoch (1-based) whose end wrote best.pt: its preview is kept
  // What the run was when it wrote the state (for the record; a resume recomputes both).
  int64_t globalBatch = 0;
  std::string strategy;
};

nlohmann::json loopStateToJson(const LoopState& state);
// `trainer`: the object above; `step` from the checkpoint's model section. Throws vwb::Error
// naming the key that is missing or of the wrong type (the caller names the file). best_epoch,
// global_batch and strategy may be absent (checkpoints of older builds).
LoopState loopStateFromJson(const nlohmann::json& trainer, int64_t step);

}  // namespace vwb

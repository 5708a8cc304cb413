#include "engine/trainer/LoopState.h"

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace vwb {

nlohmann::json loopStateToJson(const LoopState& s) {
  return {{"epochs_done", s.epochsDone},   {"epoch_loss_sum", s.epochLossSum},
          {"epoch_loss_count", s.epochLossCount}, {"has_ema", s.hasEma},
          {"val_dice_ema", s.valDiceEma},  {"best_val_dice_ema", s.bestValDiceEma},
          {"best_epoch", s.bestEpoch},     {"global_batch", s.globalBatch},
          {"strategy", s.strategy}};
}

LoopState loopStateFromJson(const nlohmann::json& trainer, int64_t step) {
  if (!trainer.is_object()) throw Error("the checkpoint holds no loop state (\"trainer\" object)");
  auto get = [&](const char* key, auto fallback, bool required) {
    using T = decltype(fallback);
    auto it = trainer.find(key);
    if (it == trainer.end()) {
      if (required) throw Error(std::string("the checkpoint's loop state has no \"") + key + "\"");
      return fallback;
    }
    try {
      return it->template get<T>();
    } catch (const nlohmann::json::exception&) {
      throw Error(std::string("the checkpoint's loop state has a \"") + key + "\" of the wrong type");
    }
  };
  LoopState s;
  s.step = step;
  s.epochsDone = get("epochs_done", int64_t(0), true);
  s.epochLossSum = get("epoch_loss_sum", 0.0, true);
  s.epochLossCount = get("epoch_loss_count", int64_t(0), true);
  s.hasEma = get("has_ema", false, true);
  s.valDiceEma = get("val_dice_ema", 0.0, true);
  s.bestValDiceEma = get("best_val_dice_ema", -1.0, true);
  s.bestEpoch = get("best_epoch", int64_t(0), false);  // absent before previews
  s.globalBatch = get("global_batch", int64_t(0), false);
  s.strategy = get("strategy", std::string(), false);
  return s;
}

}  // namespace vwb

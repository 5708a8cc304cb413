#pragma once
// Short names for the config enums as the plan prints them (kept here so that the planner does
// not need the trainer's library).
#include "engine/train/TrainConfig.h"

namespace vwb::plan_detail {

inline const char* strategyLabel(StrategyKind s) {
  switch (s) {
    case StrategyKind::Auto: return "auto";
    case StrategyKind::Single: return "single";
    case StrategyKind::DataParallel: return "dp";
    case StrategyKind::Ddp: return "ddp";
  }
  return "?";
}

inline const char* ampLabel(AmpMode a) {
  switch (a) {
    case AmpMode::Auto: return "auto";
    case AmpMode::Off: return "off";
    case AmpMode::Fp16: return "fp16";
    case AmpMode::Bf16: return "bf16";
  }
  return "?";
}

}  // namespace vwb::plan_detail

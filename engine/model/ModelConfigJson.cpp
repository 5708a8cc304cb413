#include "engine/model/ModelConfigJson.h"

#include "engine/core/Error.h"

namespace vwb {

// Declared in engine/train/TrainConfig.h; defined here because the model module (below train)
// needs them to read checkpoints.
const char* normName(NormKind n) {
  switch (n) {
    case NormKind::Instance: return "instance";
    case NormKind::Batch: return "batch";
    case NormKind::Group: return "group";
  }
  return "?";
}

NormKind parseNorm(const std::string& s) {
  if (s == "instance") return NormKind::Instance;
  if (s == "batch") return NormKind::Batch;
  if (s == "group") return NormKind::Group;
  throw Error("unknown norm '" + s + "' (expected instance, batch or group)");
}

// The other TrainConfig enum names live here too, so that the planner (which links this
// module, not the trainer) prints the same names the config uses.
const char* ampName(AmpMode a) {
  switch (a) {
    case AmpMode::Auto: return "auto";
    case AmpMode::Off: return "off";
    case AmpMode::Fp16: return "fp16";
    case AmpMode::Bf16: return "bf16";
  }
  return "?";
}

const char* strategyName(StrategyKind s) {
  switch (s) {
    case StrategyKind::Auto: return "auto";
    case StrategyKind::Single: return "single";
    case StrategyKind::DataParallel: return "dp";
    case StrategyKind::Ddp: return "ddp";
  }
  return "?";
}

AmpMode parseAmp(const std::string& s) {
  if (s == "auto") return AmpMode::Auto;
  if (s == "off") return AmpMode::Off;
  if (s == "fp16") return AmpMode::Fp16;
  if (s == "bf16") return AmpMode::Bf16;
  throw Error("unknown amp mode '" + s + "' (expected auto, off, fp16 or bf16)");
}

StrategyKind parseStrategy(const std::string& s) {
  if (s == "auto") return StrategyKind::Auto;
  if (s == "single") return StrategyKind::Single;
  if (s == "dp") return StrategyKind::DataParallel;
  if (s == "ddp") return StrategyKind::Ddp;
  throw Error("unknown strategy '" + s + "' (expected auto, single, dp or ddp)");
}

const char* archName(ArchKind a) {
  switch (a) {
    case ArchKind::UNet: return "unet";
    case ArchKind::ResEncM: return "resenc-m";
    case ArchKind::ResEncL: return "resenc-l";
    case ArchKind::ResEncXL: return "resenc-xl";
  }
  return "?";
}

ArchKind parseArch(const std::string& s) {
  if (s == "unet") return ArchKind::UNet;
  if (s == "resenc-m") return ArchKind::ResEncM;
  if (s == "resenc-l") return ArchKind::ResEncL;
  if (s == "resenc-xl") return ArchKind::ResEncXL;
  throw Error("unknown architecture '" + s + "' (expected unet, resenc-m, resenc-l or resenc-xl)");
}

const char* optimizerName(OptimizerKind o) { return o == OptimizerKind::Sgd ? "sgd" : "adamw"; }

OptimizerKind parseOptimizer(const std::string& s) {
  if (s == "adamw") return OptimizerKind::AdamW;
  if (s == "sgd") return OptimizerKind::Sgd;
  throw Error("unknown optimizer '" + s + "' (expected adamw or sgd)");
}

nlohmann::json modelConfigToJson(const ModelConfig& c) {
  return {{"levels", c.levels}, {"base_channels", c.baseChannels}, {"max_channels", c.maxChannels},
          {"norm", normName(c.norm)}, {"residual", c.residual}, {"arch", archName(c.arch)},
          {"deep_supervision", c.deepSupervision}};
}

ModelConfig modelConfigFromJson(const nlohmann::json& j) {
  ModelConfig c;
  c.levels = j.value("levels", c.levels);
  c.baseChannels = j.value("base_channels", c.baseChannels);
  c.maxChannels = j.value("max_channels", c.maxChannels);
  c.norm = parseNorm(j.value("norm", std::string(normName(c.norm))));
  c.residual = j.value("residual", c.residual);
  // Checkpoints written before the presets have no "arch": they are plain U-Nets.
  c.arch = parseArch(j.value("arch", std::string(archName(c.arch))));
  c.deepSupervision = j.value("deep_supervision", c.deepSupervision);
  return c;
}

}  // namespace vwb

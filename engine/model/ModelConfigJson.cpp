#include "engine/model/ModelConfigJson.h"

#include "engine/core/Error.h"

namespace vwb {

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

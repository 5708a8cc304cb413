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

nlohmann::json modelConfigToJson(const ModelConfig& c) {
  return {{"levels", c.levels}, {"base_channels", c.baseChannels}, {"max_channels", c.maxChannels},
          {"norm", normName(c.norm)}, {"residual", c.residual}};
}

ModelConfig modelConfigFromJson(const nlohmann::json& j) {
  ModelConfig c;
  c.levels = j.value("levels", c.levels);
  c.baseChannels = j.value("base_channels", c.baseChannels);
  c.maxChannels = j.value("max_channels", c.maxChannels);
  c.norm = parseNorm(j.value("norm", std::string(normName(c.norm))));
  c.residual = j.value("residual", c.residual);
  return c;
}

}  // namespace vwb

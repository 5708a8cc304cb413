#pragma once
// ModelConfig <-> JSON. Lives with the model because checkpoints carry it: the predictor rebuilds
// the network from the checkpoint alone.
#include <nlohmann/json.hpp>

#include "engine/model/ModelConfig.h"


namespace vwb {

nlohmann::json modelConfigToJson(const ModelConfig& config);
// Missing fields keep defaults; unknown norm names throw vwb::Error.
ModelConfig modelConfigFromJson(const nlohmann::json& json);

}  // namespace vwb

#pragma once
// Torch-side checks for TestModel behind plain types (ModelChecks.cpp has torch and no Qt).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/train/TrainConfig.h"

namespace modelchecks {

int64_t torchParameterCount(const vwb::ModelConfig& config);
// Output shape "NxCxDxHxW" of a forward pass on zeros of [batch, 1, patch^3].
std::string outputShape(const vwb::ModelConfig& config, int64_t patch, int64_t batch);
// Largest weight difference between two freshly built models.
double initDifference(const vwb::ModelConfig& config, uint64_t seedA, uint64_t seedB);
// A replica made with clone() gives the same output (what multi-device strategies rely on).
bool cloneMatches(const vwb::ModelConfig& config);
// checkPatchFitsModel() accepts the patch (it throws vwb::Error otherwise).
bool patchFits(const vwb::ModelConfig& config, int64_t patch);
// Shapes "NxCxDxHxW" of forwardLevels() on zeros of [1, 1, patch^3], full resolution first.
std::vector<std::string> levelShapes(const vwb::ModelConfig& config, int64_t patch);
// Checkpoint round trip: a model saved by writeModelSection and loaded by loadModelCheckpoint
// gives the same logits (the meta record carries the architecture).
bool checkpointRoundTrip(const vwb::ModelConfig& config, int64_t patch, const std::string& path);

}  // namespace modelchecks

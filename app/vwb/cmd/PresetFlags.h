#pragma once
// --preset FILE for vwb postprocess / predict: post-processing tuned by `vwb tune`; flags given
// explicitly on the command line still win over the preset's values.
#include <CLI/CLI.hpp>
#include <string>

#include "engine/infer/PostProcess.h"

namespace vwb::cli {

void applyPostProcessPreset(const std::string& path, const CLI::App& cmd, PostProcessOptions& options);

}  // namespace vwb::cli

#pragma once
// The post-processing record: one schema, one codec, one format tag for every file that holds a
// post-processing setting — `vwb tune`'s preset, `vwb postprocess|predict --preset`, the GUI's
// RUN/predictions/postprocess.json and the <zip>.postprocess.json written beside a submission.
//
//   {"format": "vwb-postprocess/1", "threshold": 0.4, "border": 0, "min_size": 100,
//    "closing": 0, "fill_holes": false, "plug_holes": true, "sheet_closing": 2}
//
// Older files still load: the GUI's untagged records (keys border_voxels, min_component_voxels,
// closing_radius, sheet_closing_radius) written before the schema was shared.
#include <string>

#include "engine/infer/PostProcess.h"

namespace vwb {

inline constexpr const char* kPostProcessFormat = "vwb-postprocess/1";

std::string postProcessToJson(const PostProcessOptions& options);
// Throws vwb::Error for anything else than the schema above (or the older untagged record): a
// missing or unknown format tag, a number out of its range (PostProcessRanges), a wrong type.
PostProcessOptions postProcessFromJson(const std::string& json);

// The same from and to a file: the write is atomic (engine/core/AtomicFile.h); errors name the file.
void writePostProcessFile(const std::string& path, const PostProcessOptions& options);
PostProcessOptions readPostProcessFile(const std::string& path);

}  // namespace vwb

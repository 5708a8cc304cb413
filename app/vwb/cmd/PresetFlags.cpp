#include "cmd/PresetFlags.h"

#include "engine/core/Error.h"
#include "engine/infer/PostProcessRecord.h"

namespace vwb::cli {

void applyPostProcessPreset(const std::string& path, const CLI::App& cmd, PostProcessOptions& o) {
  PostProcessOptions p = readPostProcessFile(path);
  auto given = [&](const char* flag) { return cmd.count(flag) > 0; };
  if (given("--threshold")) p.threshold = o.threshold;
  if (given("--border")) p.borderVoxels = o.borderVoxels;
  if (given("--min-size")) p.minComponentVoxels = o.minComponentVoxels;
  if (given("--closing")) p.closingRadius = o.closingRadius;
  if (given("--fill-holes")) p.fillHoles = o.fillHoles;
  if (given("--plug-holes")) p.plugHoles = o.plugHoles;
  if (given("--sheet-closing")) p.sheetClosingRadius = o.sheetClosingRadius;
  o = p;
}

}  // namespace vwb::cli

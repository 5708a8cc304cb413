#include "cmd/PresetFlags.h"

#include <fstream>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/infer/PostProcessTuner.h"

namespace vwb::cli {

void applyPostProcessPreset(const std::string& path, const CLI::App& cmd, PostProcessOptions& o) {
  std::ifstream in(path);
  if (!in) throw fileError(path, "cannot open the post-processing preset");
  std::stringstream ss;
  ss << in.rdbuf();
  PostProcessOptions p;
  try {
    p = postProcessFromJson(ss.str());
  } catch (const Error& e) {
    throw fileError(path, e.what());
  }
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

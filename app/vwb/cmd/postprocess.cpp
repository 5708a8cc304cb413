// vwb postprocess: re-threshold and clean saved probability volumes without re-running the net.
#include <cstdio>
#include <filesystem>

#include "CommandRegistry.h"
#include "cmd/PresetFlags.h"
#include "engine/core/Error.h"
#include "engine/core/Reporting.h"
#include "engine/export/PredictionFolder.h"
#include "engine/export/SubmissionIds.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/io/TiffVolume.h"

namespace {
struct PostProcessArgs {
  std::string prob, out, preset;
  vwb::PostProcessOptions options;
};
}  // namespace

VWB_COMMAND(postprocess, 55, "Turn probability volumes into 0/1 masks (threshold, cleanup)", [](CLI::App& cmd) {
  auto a = std::make_shared<PostProcessArgs>();
  auto& o = a->options;
  cmd.add_option("--prob", a->prob, "folder of <id>.tif uint8 probabilities (p*255)")->required();
  cmd.add_option("--out", a->out, "folder for the <id>.tif 0/1 masks")->required();
  cmd.add_option("--threshold", o.threshold, "foreground where p >= T")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--border", o.borderVoxels, "zero K voxels at every face")->capture_default_str()->check(CLI::Range(0, 1024));
  cmd.add_option("--min-size", o.minComponentVoxels, "drop 26-connected components below N voxels")
      ->capture_default_str()->check(CLI::Range(int64_t(0), int64_t(1) << 40));
  cmd.add_option("--closing", o.closingRadius, "binary closing with a (2R+1)^3 cube (0 = off)")
      ->capture_default_str()->check(CLI::Range(0, 64));
  cmd.add_flag("--fill-holes", o.fillHoles, "fill enclosed background cavities");
  cmd.add_flag("--plug-holes", o.plugHoles, "plug 1-voxel holes (tunnels) in sheets");
  cmd.add_option("--sheet-closing", o.sheetClosingRadius,
                 "close each sheet on its own along its best projection axis, radius R (0 = off)")
      ->capture_default_str()->check(CLI::Range(0, 64));
  cmd.add_option("--preset", a->preset, "post-processing preset JSON from vwb tune (flags given here win)");
  cmd.callback([a, &cmd] {
    namespace fs = std::filesystem;
    if (!fs::is_directory(a->prob)) throw vwb::fileError(a->prob, "probability folder not found");
    if (!a->preset.empty()) vwb::cli::applyPostProcessPreset(a->preset, cmd, a->options);
    if (const std::string p = vwb::postProcessProblem(a->options); !p.empty()) throw vwb::Error(p);
    std::error_code ec;
    fs::create_directories(a->out, ec);
    if (!fs::is_directory(a->out)) throw vwb::fileError(a->out, "cannot create the output folder");
    if (fs::equivalent(a->prob, a->out, ec)) throw vwb::Error("--out must differ from --prob (it would overwrite them)");
    const std::vector<std::string> ids = vwb::listTifIds(a->prob);
    if (ids.empty()) throw vwb::fileError(a->prob, "holds no .tif probability volume");
    vwb::ConsoleSink console;
    for (size_t i = 0; i < ids.size(); ++i) {
      console.progress("post-processing", static_cast<int64_t>(i), static_cast<int64_t>(ids.size()));
      const vwb::VolumeU8 prob = vwb::readVolumeU8((fs::path(a->prob) / (ids[i] + ".tif")).string());
      vwb::writeVolumeU8((fs::path(a->out) / (ids[i] + ".tif")).string(), vwb::postprocess(prob, a->options));
    }
    console.progress("post-processing", static_cast<int64_t>(ids.size()), static_cast<int64_t>(ids.size()));
    // Masks of a vwb predict folder, redone from its own probabilities: its manifest follows.
    fs::path probDir = fs::absolute(a->prob).lexically_normal();
    if (probDir.filename().empty()) probDir = probDir.parent_path();
    if (fs::equivalent(probDir.parent_path(), a->out, ec))
      vwb::updatePredictionMasks(a->out, vwb::postProcessToJson(a->options));
    std::printf("wrote %zu masks to %s\n", ids.size(), a->out.c_str());
  });
});

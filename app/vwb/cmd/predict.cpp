// vwb predict: a trained checkpoint over every volume of a folder -> probabilities + masks.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "CommandRegistry.h"
#include "cmd/PresetFlags.h"
#include "engine/core/Error.h"
#include "engine/core/TextFile.h"
#include "engine/core/Reporting.h"
#include "engine/export/OutputTarget.h"
#include "engine/export/PredictionFolder.h"
#include "engine/infer/FolderPrediction.h"
#include "engine/export/SubmissionIds.h"
#include "engine/infer/EnsemblePredictor.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/PostProcessTuner.h"
#include "engine/infer/Predictor.h"
#include "engine/io/TiffVolume.h"
#include "engine/model/CheckpointInfo.h"

namespace {

struct PredictArgs {
  std::vector<std::string> checkpoints;
  std::vector<double> weights;
  std::vector<std::string> images;
  std::string preset, out, tta = "none", average = "probability", devices = "cpu", amp = "auto";
  vwb::PredictOptions options;
  vwb::PostProcessOptions post;
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) parts.push_back(item);
  return parts;
}

}  // namespace

VWB_COMMAND(predict, 50, "Predict surfaces with a trained checkpoint (sliding window, TTA)", [](CLI::App& cmd) {
  auto a = std::make_shared<PredictArgs>();
  auto& o = a->options;
  cmd.add_option("--checkpoint", a->checkpoints,
                 "RUN/checkpoints/best.pt; several = an ensemble averaging their probabilities")
      ->required();
  cmd.add_option("--weights", a->weights, "ensemble weights, one per checkpoint (normalized; default equal)");
  cmd.add_option("--images", a->images,
                 "folder(s) of <id>.tif volumes; several (e.g. test_images train_images) are predicted "
                 "in one run into one --out")
      ->required();
  cmd.add_option("--out", a->out, "writes <id>.tif 0/1 masks and prob/<id>.tif (p*255)")->required();
  cmd.add_option("--overlap", o.overlap, "window overlap in [0, 1)")->capture_default_str()->check(CLI::Range(0.0, 0.99));
  cmd.add_option("--tta", a->tta, "none | flips (8) | full (flips + in-plane rotations, 16)")
      ->capture_default_str()->check(CLI::IsMember({"none", "flips", "full"}));
  cmd.add_option("--tta-average", a->average, "average TTA in probability or logit space")
      ->capture_default_str()->check(CLI::IsMember({"probability", "logit"}));
  cmd.add_option("--devices", a->devices, "comma-separated: cpu, cuda:0, cuda:1, ...")->capture_default_str();
  cmd.add_option("--batch", o.batch, "patches per forward pass")->capture_default_str()->check(CLI::PositiveNumber);
  cmd.add_option("--threads", o.threads, "intra-op threads (0 = all cores)")->capture_default_str();
  cmd.add_option("--amp", a->amp, "forward pass precision: auto (fp32 on the CPU, fp16/bf16 on a GPU with tensor cores) | off | fp16 | bf16")
      ->capture_default_str()->check(CLI::IsMember({"auto", "off", "fp16", "bf16"}));
  cmd.add_option("--threshold", a->post.threshold, "mask where p >= T")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--border", a->post.borderVoxels, "zero K voxels at every face")->capture_default_str()->check(CLI::Range(0, 1024));
  cmd.add_option("--min-size", a->post.minComponentVoxels, "drop 26-connected components below N voxels")
      ->capture_default_str()->check(CLI::Range(int64_t(0), int64_t(1) << 40));
  cmd.add_option("--closing", a->post.closingRadius, "binary closing radius (0 = off)")->capture_default_str()->check(CLI::Range(0, 64));
  cmd.add_flag("--fill-holes", a->post.fillHoles, "fill enclosed background cavities");
  cmd.add_flag("--plug-holes", a->post.plugHoles, "plug 1-voxel holes (tunnels) in sheets");
  cmd.add_option("--sheet-closing", a->post.sheetClosingRadius,
                 "close each sheet on its own along its best projection axis, radius R (0 = off)")
      ->capture_default_str()->check(CLI::Range(0, 64));
  cmd.add_option("--preset", a->preset, "post-processing preset JSON from vwb tune (flags given here win)");
  cmd.callback([a, &cmd] {
    namespace fs = std::filesystem;
    // A file-size limit (ulimit -f) then fails a write (the temporary file is removed) instead of
    // killing vwb by SIGXFSZ with a half-written prob/<id>.tif.tmp left behind.
    std::signal(SIGXFSZ, SIG_IGN);
    std::error_code ec;
    // Every volume of every --images folder, in their order; an id in two folders is ambiguous.
    std::vector<std::string> ids, imagePaths;
    std::map<std::string, std::string> seen;  // id -> its file
    std::vector<vwb::InputFolder> inputs;
    for (const std::string& folder : a->images) {
      if (!fs::exists(folder, ec)) throw vwb::fileError(folder, "image folder does not exist");
      if (!fs::is_directory(folder)) throw vwb::fileError(folder, "is not a folder");
      const std::vector<std::string> here = vwb::listTifIds(folder);
      if (here.empty()) throw vwb::fileError(folder, "holds no .tif volume");
      for (const std::string& id : here) {
        const std::string path = (fs::path(folder) / (id + ".tif")).string();
        if (auto [it, fresh] = seen.emplace(id, path); !fresh)
          throw vwb::Error("volume id '" + id + "' is in two --images folders: " + it->second + " and " + path);
        ids.push_back(id);
        imagePaths.push_back(path);
      }
      inputs.push_back({"image folder (--images)", folder, true});
    }
    if (!a->preset.empty()) vwb::cli::applyPostProcessPreset(a->preset, cmd, a->post);
    if (const std::string p = vwb::postProcessProblem(a->post); !p.empty()) throw vwb::Error(p);
    for (const auto& checkpoint : a->checkpoints)
      inputs.push_back({"checkpoint's folder", fs::absolute(checkpoint).parent_path().string(), false});
    vwb::checkOutputFolder(a->out, inputs);
    a->options.tta = a->tta == "full" ? vwb::Tta::Full : a->tta == "flips" ? vwb::Tta::Flips : vwb::Tta::None;
    a->options.averageLogits = a->average == "logit";
    a->options.devices = splitList(a->devices);
    a->options.amp = vwb::parseAmp(a->amp);
    vwb::ConsoleSink console;
    // Verifies each checksum and recorded architecture before anything is written.
    for (const auto& checkpoint : a->checkpoints)
      if (!vwb::readCheckpointInfo(checkpoint).checksummed)
        console.log(vwb::LogLevel::Warning, checkpoint + ": has no content checksum (written by an "
                                            "older vwb); its integrity cannot be verified");
    vwb::EnsemblePredictor predictor(a->checkpoints, a->weights, a->options);
    for (size_t m = 0; m < predictor.size(); ++m)
      std::fprintf(stderr, "model %zu: %s, patch %s, weight %.3f\n", m + 1, a->checkpoints[m].c_str(),
                   predictor.model(m).patch().str().c_str(), predictor.weights()[m]);
    std::fprintf(stderr, "precision: %s\n", predictor.model(0).precisionNote().c_str());
    std::fprintf(stderr, "%zu volume(s), devices %s\n", ids.size(), a->devices.c_str());
    // Only now that the checkpoints loaded: a bad one leaves no output folder behind. All or
    // nothing: an interrupted run leaves --out as it was, never volumes of two models side by side.
    vwb::FolderPrediction request;
    request.checkpoints = a->checkpoints;
    request.images = a->images.front();
    request.imagePaths = imagePaths;
    request.out = a->out;
    request.ids = ids;
    request.post = a->post;
    request.settingsJson = nlohmann::json{{"tta", a->tta}, {"tta_average", a->average},
                                          {"overlap", a->options.overlap}}.dump();
    request.onVolume = [](size_t i, size_t n, const std::string& id) {
      std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, n, id.c_str());
    };
    // What each volume cost: bench-predict's figures (the README's table) for every run.
    request.onVolumeDone = [](size_t, size_t, const std::string& id, const vwb::FolderPrediction::VolumeCost& c) {
      std::fprintf(stderr, "%s: %s, %lld network evaluations in %.1f s (%.2f/s), %.1f %% of the time outside the "
                   "network, %.1f s with reading and writing\n", id.c_str(), c.shape.str().c_str(),
                   static_cast<long long>(c.timing.evaluations), c.timing.seconds, c.timing.evaluationsPerSecond(),
                   100 * c.timing.outsideNetworkShare(), c.seconds);
    };
    // A prediction folder holds one run's volumes: say which of the earlier run's are not kept.
    const fs::path manifestPath = fs::path(a->out) / vwb::kPredictionManifestName;
    if (fs::exists(manifestPath, ec)) {
      std::vector<std::string> dropped;
      try {
        for (const auto& v : vwb::PredictionManifest::fromJson(vwb::readWholeFile(manifestPath.string(), "the prediction manifest"),
                                                              manifestPath.string()).volumes)
          if (!seen.count(v.id)) dropped.push_back(v.id);
      } catch (const vwb::Error&) {
        // An unreadable manifest: the staged folder below refuses or replaces it, naming it.
      }
      if (!dropped.empty()) {
        std::string list;
        for (size_t i = 0; i < dropped.size() && i < 5; ++i) list += (i ? ", " : "") + dropped[i];
        if (dropped.size() > 5) list += ", ...";
        console.log(vwb::LogLevel::Warning,
                    a->out + " holds an earlier prediction; its " + std::to_string(dropped.size()) + " volume(s) not in this run (" +
                        list + ") will not be in the new one (a prediction folder holds one run: give every folder "
                        "to one vwb predict, e.g. --images test_images train_images)");
      }
    }
    vwb::predictFolder(predictor, request, &console);
    std::printf("wrote %zu masks to %s (probabilities in %s/prob, what made them in %s/%s)\n", ids.size(),
                a->out.c_str(), a->out.c_str(), a->out.c_str(), vwb::kPredictionManifestName);
  });
});

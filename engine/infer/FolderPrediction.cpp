#include "engine/infer/FolderPrediction.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/io/TiffVolume.h"

namespace fs = std::filesystem;

namespace vwb {

size_t predictFolder(const VolumeModel& model, const FolderPrediction& r, ProgressSink* progress,
                     const CancelToken* cancel) {
  const bool masks = r.layout == PredictionLayout::Prediction;
  if (masks)
    if (const std::string p = postProcessProblem(r.post); !p.empty()) throw Error(p);
  if (!r.imagePaths.empty() && r.imagePaths.size() != r.ids.size())
    throw Error("predictFolder: " + std::to_string(r.imagePaths.size()) + " image paths for " +
                std::to_string(r.ids.size()) + " volumes");
  StagedPredictionFolder staged(r.out, r.layout);
  PredictionManifest manifest;
  if (masks) {
    std::error_code ec;
    for (size_t m = 0; m < r.checkpoints.size(); ++m)
      manifest.checkpoints.push_back({fs::absolute(r.checkpoints[m]).string(), int64_t(fs::file_size(r.checkpoints[m], ec)),
                                      m < r.weights.size() ? r.weights[m] : 1.0});
    auto settings = nlohmann::json::parse(r.settingsJson.empty() ? "{}" : r.settingsJson);
    settings["postprocess"] = nlohmann::json::parse(postProcessToJson(r.post));
    // The image folder, or the folders of the given image paths (in order) when there are several.
    std::vector<std::string> folders;
    for (const std::string& path : r.imagePaths) {
      const std::string folder = fs::absolute(path).parent_path().string();
      if (std::find(folders.begin(), folders.end(), folder) == folders.end()) folders.push_back(folder);
    }
    if (folders.size() > 1) settings["images"] = folders;
    else settings["images"] = folders.empty() ? fs::absolute(r.images).string() : folders.front();
    manifest.settings = settings.dump();
  }
  for (size_t i = 0; i < r.ids.size(); ++i) {
    if (cancel) cancel->throwIfCancelled();
    const std::string& id = r.ids[i];
    if (r.onVolume) r.onVolume(i, r.ids.size(), id);
    const std::string imagePath = r.imagePaths.empty() ? (fs::path(r.images) / (id + ".tif")).string() : r.imagePaths[i];
    const auto start = std::chrono::steady_clock::now();
    const VolumeU8 image = readVolumeU8(imagePath);
    VolumeU8 prob = model(image, progress, cancel);
    writeVolumeU8(staged.probPath(id), prob);
    if (masks) {
      writeVolumeU8(staged.maskPath(id), postprocess(prob, r.post));
      manifest.volumes.push_back({id, 0, 0});
    }
    if (r.onProbability) r.onProbability(id, std::move(prob));
    if (r.onVolumeDone)
      r.onVolumeDone(i, r.ids.size(), id,
                     {image.shape, {}, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
  }
  if (cancel) cancel->throwIfCancelled();
  if (masks) staged.commit(manifest);
  else staged.commit();
  return r.ids.size();
}

size_t predictFolder(EnsemblePredictor& predictor, FolderPrediction request, ProgressSink* progress,
                     const CancelToken* cancel) {
  request.weights = predictor.weights();
  if (request.checkpoints.size() > predictor.size()) request.checkpoints.resize(predictor.size());
  if (request.onVolumeDone) {  // the same line, with what the network cost
    request.onVolumeDone = [inner = request.onVolumeDone, &predictor](size_t i, size_t n, const std::string& id,
                                                                      const FolderPrediction::VolumeCost& cost) {
      FolderPrediction::VolumeCost withTiming = cost;
      withTiming.timing = predictor.lastTiming();
      inner(i, n, id, withTiming);
    };
  }
  return predictFolder(
      [&predictor](const VolumeU8& image, ProgressSink* p, const CancelToken* c) { return predictor.predict(image, p, c); },
      request, progress, cancel);
}

}  // namespace vwb

#include "engine/infer/FolderPrediction.h"

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/export/PredictionFolder.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/io/TiffVolume.h"

namespace fs = std::filesystem;

namespace vwb {

size_t predictFolder(EnsemblePredictor& predictor, const FolderPrediction& r, ProgressSink* progress,
                     const CancelToken* cancel) {
  if (const std::string p = postProcessProblem(r.post); !p.empty()) throw Error(p);
  StagedPredictionFolder staged(r.out);
  PredictionManifest manifest;
  std::error_code ec;
  for (size_t m = 0; m < predictor.size() && m < r.checkpoints.size(); ++m)
    manifest.checkpoints.push_back({fs::absolute(r.checkpoints[m]).string(),
                                    int64_t(fs::file_size(r.checkpoints[m], ec)), predictor.weights()[m]});
  auto settings = nlohmann::json::parse(r.settingsJson.empty() ? "{}" : r.settingsJson);
  settings["postprocess"] = nlohmann::json::parse(postProcessToJson(r.post));
  settings["images"] = fs::absolute(r.images).string();
  manifest.settings = settings.dump();
  for (size_t i = 0; i < r.ids.size(); ++i) {
    if (cancel) cancel->throwIfCancelled();
    const std::string& id = r.ids[i];
    if (r.onVolume) r.onVolume(i, r.ids.size(), id);
    const auto start = std::chrono::steady_clock::now();
    const VolumeU8 image = readVolumeU8((fs::path(r.images) / (id + ".tif")).string());
    const VolumeU8 prob = predictor.predict(image, progress, cancel);
    writeVolumeU8(staged.probPath(id), prob);
    writeVolumeU8(staged.maskPath(id), postprocess(prob, r.post));
    manifest.volumes.push_back({id, 0, 0});
    if (r.onVolumeDone)
      r.onVolumeDone(i, r.ids.size(), id,
                     {image.shape, predictor.lastTiming(),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
  }
  staged.commit(manifest);
  return r.ids.size();
}

}  // namespace vwb

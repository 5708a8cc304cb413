#include "ui/inspect/PredictionSession.h"

#include <QFile>
#include <algorithm>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/io/TiffVolume.h"
#include "ui/inspect/MaskStats.h"
#include "ui/inspect/PostProcessRecord.h"

namespace vwb::inspect {
namespace fs = std::filesystem;

void PredictionSession::setVolumes(std::vector<InspectVolume> volumes) {
  volumes_ = std::move(volumes);
  probabilities_.clear();
  labels_.clear();
}

const InspectVolume* PredictionSession::find(const std::string& id) const {
  for (const auto& v : volumes_)
    if (v.id == id) return &v;
  return nullptr;
}

namespace {

// The predictor's per-volume progress (tiles) as a share of the whole prediction.
class VolumeProgress : public ProgressSink {
 public:
  static constexpr int64_t kSteps = 1000;  // per volume
  VolumeProgress(ProgressSink* outer, std::string stage, int64_t volume, int64_t volumes)
      : outer_(outer), stage_(std::move(stage)), volume_(volume), volumes_(volumes) {}
  void progress(const std::string&, int64_t done, int64_t total) override {
    if (outer_ && total > 0) outer_->progress(stage_, volume_ * kSteps + done * kSteps / total, volumes_ * kSteps);
  }

 private:
  ProgressSink* outer_;
  std::string stage_;
  int64_t volume_, volumes_;
};

}  // namespace

void PredictionSession::predict(ui::Engine& engine, ui::VolumePredictor& predictor, const std::string& saveDir,
                                ProgressSink* progress, const CancelToken* cancel, const std::vector<std::string>* only) {
  std::vector<const InspectVolume*> chosen;
  for (const InspectVolume& v : volumes_)
    if (!only || std::find(only->begin(), only->end(), v.id) != only->end()) chosen.push_back(&v);
  if (chosen.empty()) throw Error("no volumes to predict");
  // Kept in memory only once every volume is done (and, with saveDir, the folder swapped in).
  std::map<std::string, std::shared_ptr<const VolumeU8>> fresh;
  const int64_t n = static_cast<int64_t>(chosen.size());
  if (!saveDir.empty()) {
    std::vector<ui::PredictionInput> inputs;
    for (const InspectVolume* v : chosen) inputs.push_back({v->id, v->imagePath});
    engine.predictIntoFolder(
        predictor, inputs, saveDir,
        [&fresh](const std::string& id, VolumeU8 probability) { fresh[id] = std::make_shared<const VolumeU8>(std::move(probability)); },
        progress, cancel);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      if (cancel) cancel->throwIfCancelled();
      const InspectVolume& v = *chosen[i];
      VolumeProgress tiles(progress, "predicting " + v.id, i, n);
      tiles.progress("", 0, 1);
      fresh[v.id] = std::make_shared<const VolumeU8>(predictor.predict(readVolumeU8(v.imagePath), &tiles, cancel));
    }
    if (cancel) cancel->throwIfCancelled();
    if (progress) progress->progress("predicting", n * VolumeProgress::kSteps, n * VolumeProgress::kSteps);
  }
  for (auto& [id, probability] : fresh) probabilities_[id] = std::move(probability);
}

int PredictionSession::loadProbabilities(const std::string& dir, ProgressSink* progress, const CancelToken* cancel) {
  int loaded = 0;
  const int64_t n = static_cast<int64_t>(volumes_.size());
  for (int64_t i = 0; i < n; ++i) {
    if (cancel) cancel->throwIfCancelled();
    const fs::path path = fs::path(dir) / (volumes_[i].id + ".tif");
    if (!fs::exists(path)) continue;
    if (progress) progress->progress("reading " + path.filename().string(), i, n);
    probabilities_[volumes_[i].id] = std::make_shared<VolumeU8>(readVolumeU8(path.string()));
    ++loaded;
  }
  return loaded;
}

void PredictionSession::setProbability(const std::string& id, std::shared_ptr<const VolumeU8> probability) {
  if (!find(id)) throw Error("unknown volume id '" + id + "'");
  probabilities_[id] = std::move(probability);
}

std::shared_ptr<const VolumeU8> PredictionSession::probability(const std::string& id) const {
  auto it = probabilities_.find(id);
  return it == probabilities_.end() ? nullptr : it->second;
}

std::shared_ptr<const VolumeU8> PredictionSession::label(const std::string& id) {
  auto it = labels_.find(id);
  if (it != labels_.end()) return it->second;
  const InspectVolume* v = find(id);
  if (!v || !v->labeled()) return nullptr;
  auto label = std::make_shared<const VolumeU8>(readVolumeU8(v->labelPath));
  labels_[id] = label;
  return label;
}

std::vector<ui::TuneVolume> PredictionSession::tuneVolumes(const std::vector<std::string>& ids) {
  std::vector<ui::TuneVolume> out;
  for (const std::string& id : ids) {
    const InspectVolume* v = find(id);
    const auto prob = probability(id);
    if (v && v->labeled() && prob) out.push_back({id, prob, label(id)});
  }
  return out;
}

std::vector<InspectRow> PredictionSession::evaluate(const PostProcessOptions& post, const std::string& maskDirPath,
                                                    ProgressSink* progress, const CancelToken* cancel) {
  // The masks' record goes before the first mask is rewritten and comes back after the last:
  // an interrupted evaluate leaves no record rather than one that names other settings.
  const QString record = maskDirPath.empty() ? QString() : postProcessRecordPath(QString::fromStdString(maskDirPath));
  if (!maskDirPath.empty()) {
    fs::create_directories(maskDirPath);
    QFile::remove(record);
  }
  std::vector<InspectRow> rows;
  const int64_t n = static_cast<int64_t>(volumes_.size());
  for (int64_t i = 0; i < n; ++i) {
    if (cancel) cancel->throwIfCancelled();
    const InspectVolume& v = volumes_[i];
    InspectRow row;
    row.id = v.id;
    row.labeled = v.labeled();
    const auto prob = probability(v.id);
    if (prob) {
      if (progress) progress->progress("scoring " + v.id, i, n);
      row.predicted = true;
      row.shape = prob->shape;
      const VolumeU8 mask = postprocess(*prob, post);
      const MaskStats stats = maskStats(mask);
      row.foregroundFraction = stats.foregroundFraction;
      row.components = stats.components;
      if (row.labeled) {
        row.score = scoreVolume(mask, *label(v.id));
        row.score.id = v.id;
      }
      if (!row.labeled && !maskDirPath.empty()) writeVolumeU8((fs::path(maskDirPath) / (v.id + ".tif")).string(), mask);
    }
    rows.push_back(std::move(row));
  }
  if (progress) progress->progress("scoring", n, n);
  if (!record.isEmpty()) writePostProcessRecord(record, post);
  return rows;
}

}  // namespace vwb::inspect

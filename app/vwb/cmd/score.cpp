// vwb score: the competition score of predicted masks against labels, per volume and mean.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/core/Reporting.h"
#include "engine/export/SubmissionIds.h"
#include "engine/io/TiffVolume.h"
#include "engine/metrics/Score.h"

namespace {

struct ScoreArgs {
  std::string pred, labels;
  bool json = false;
  bool labeledOnly = false;
  double tolerance = 2.0;
};

nlohmann::json toJson(const vwb::VolumeScore& s, bool withId) {
  nlohmann::json j;
  if (withId) j["id"] = s.id;
  j["surface_dice"] = s.surfaceDice;
  j["voi_score"] = s.voiScore;
  j["topo_score"] = s.topoScore;
  j["score"] = s.score;
  return j;
}

}  // namespace

VWB_COMMAND(score, 60, "Score predicted masks against labels (SurfaceDice, VOI, TopoScore)", [](CLI::App& cmd) {
  auto a = std::make_shared<ScoreArgs>();
  cmd.add_option("--pred", a->pred, "folder of <id>.tif predictions (nonzero = surface)")->required();
  cmd.add_option("--labels", a->labels, "folder of <id>.tif labels (0/1, 2 = unlabeled)")->required();
  cmd.add_option("--tolerance", a->tolerance, "SurfaceDice tolerance tau in voxels")->check(CLI::PositiveNumber);
  cmd.add_flag("--json", a->json, "print JSON: {\"volumes\": [...], \"mean\": {...}}");
  cmd.add_flag("--labeled-only", a->labeledOnly,
               "score only the predictions that have a label (others are listed, not an error)");
  cmd.callback([a] {
    namespace fs = std::filesystem;
    if (!fs::is_directory(a->pred)) throw vwb::fileError(a->pred, "prediction folder not found");
    if (!fs::is_directory(a->labels)) throw vwb::fileError(a->labels, "label folder not found");
    std::vector<std::string> ids = vwb::listTifIds(a->pred);
    if (ids.empty()) throw vwb::fileError(a->pred, "holds no .tif prediction");
    std::string missing;
    std::vector<std::string> labeled;
    for (const std::string& id : ids) {
      if (fs::is_regular_file(fs::path(a->labels) / (id + ".tif"))) labeled.push_back(id);
      else missing += " " + id;
    }
    if (!missing.empty() && !a->labeledOnly)
      throw vwb::fileError(a->labels, "no label for prediction id(s):" + missing);
    if (labeled.empty()) throw vwb::fileError(a->labels, "has a label for none of the predictions");
    if (!missing.empty())
      std::fprintf(stderr, "not scored (no label in %s):%s\n", a->labels.c_str(), missing.c_str());
    ids = labeled;

    vwb::ConsoleSink console;
    vwb::ScoreOptions options;
    options.tolerance = a->tolerance;
    std::vector<vwb::VolumeScore> scores;
    for (size_t i = 0; i < ids.size(); ++i) {
      console.progress("scoring", static_cast<int64_t>(i), static_cast<int64_t>(ids.size()));
      const std::string predPath = (fs::path(a->pred) / (ids[i] + ".tif")).string();
      const std::string labelPath = (fs::path(a->labels) / (ids[i] + ".tif")).string();
      const vwb::VolumeU8 pred = vwb::readVolumeU8(predPath), label = vwb::readVolumeU8(labelPath);
      if (pred.shape != label.shape)
        throw vwb::fileError(predPath, "is " + pred.shape.str() + ", its label is " + label.shape.str());
      scores.push_back(vwb::scoreVolume(pred, label, options));
      scores.back().id = ids[i];
    }
    console.progress("scoring", static_cast<int64_t>(ids.size()), static_cast<int64_t>(ids.size()));
    const vwb::VolumeScore mean = vwb::meanScore(scores);
    if (a->json) {
      nlohmann::json out;
      out["volumes"] = nlohmann::json::array();
      for (const auto& s : scores) out["volumes"].push_back(toJson(s, true));
      out["mean"] = toJson(mean, false);
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
    std::printf("%-16s %12s %10s %10s %8s\n", "id", "surface_dice", "voi_score", "topo_score", "score");
    for (const auto& s : scores)
      std::printf("%-16s %12.4f %10.4f %10.4f %8.4f\n", s.id.c_str(), s.surfaceDice, s.voiScore, s.topoScore, s.score);
    std::printf("%-16s %12.4f %10.4f %10.4f %8.4f\n", "mean", mean.surfaceDice, mean.voiScore, mean.topoScore, mean.score);
  });
});

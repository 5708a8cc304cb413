// vwb score: the competition score of predicted masks against labels, per volume and mean.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <thread>

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

nlohmann::json toJson(const vwb::VolumeScore& s, bool perVolume) {
  nlohmann::json j;
  if (perVolume) j["id"] = s.id;
  j["surface_dice"] = s.surfaceDice;
  j["voi_score"] = s.voiScore;
  j["topo_score"] = s.topoScore;
  j["score"] = s.score;
  j["voi"] = s.voi;
  j["voi_split"] = s.voiSplit;
  j["voi_merge"] = s.voiMerge;
  if (!perVolume) return j;
  nlohmann::json f1 = nlohmann::json::array();
  for (int k = 0; k < 3; ++k) f1.push_back(s.topoUsed[k] ? nlohmann::json(s.topoF1[k]) : nlohmann::json());
  j["topo_f1"] = f1;
  j["betti"] = {{"matched", s.matched}, {"pred", s.predPairs}, {"gt", s.gtPairs}};
  j["all_ignored"] = s.allIgnored;
  return j;
}

// Scores every pair, several volumes at once when there are many cores (each volume's TopoScore
// spreads its eight octants over the cores it is given).
std::vector<vwb::VolumeScore> scoreAll(const ScoreArgs& a, const std::vector<std::string>& ids) {
  namespace fs = std::filesystem;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = std::clamp(cores / 8, 1, static_cast<int>(ids.size()));
  vwb::ScoreOptions options;
  options.tolerance = a.tolerance;
  options.threads = std::max(1, cores / workers);
  std::vector<vwb::VolumeScore> scores(ids.size());
  std::vector<std::exception_ptr> errors(ids.size());
  std::atomic<size_t> next{0}, done{0};
  vwb::ConsoleSink console;
  console.progress("scoring", 0, static_cast<int64_t>(ids.size()));
  auto work = [&] {
    for (size_t i; (i = next++) < ids.size();) {
      try {
        const std::string predPath = (fs::path(a.pred) / (ids[i] + ".tif")).string();
        const std::string labelPath = (fs::path(a.labels) / (ids[i] + ".tif")).string();
        const vwb::VolumeU8 pred = vwb::readVolumeU8(predPath), label = vwb::readVolumeU8(labelPath);
        if (pred.shape != label.shape)
          throw vwb::fileError(predPath, "is " + pred.shape.str() + ", its label is " + label.shape.str());
        try {
          vwb::checkLabelValues(label);
        } catch (const vwb::Error& e) {
          throw vwb::fileError(labelPath, e.what());
        }
        scores[i] = vwb::scoreVolume(pred, label, options);
        scores[i].id = ids[i];
      } catch (...) {
        errors[i] = std::current_exception();
        next = ids.size();  // stop early: the first error in id order is reported
      }
      if (workers == 1) console.progress("scoring", static_cast<int64_t>(++done), static_cast<int64_t>(ids.size()));
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  if (workers > 1) console.progress("scoring", static_cast<int64_t>(ids.size()), static_cast<int64_t>(ids.size()));
  return scores;
}

}  // namespace

VWB_COMMAND(score, 60, "Score predicted masks against labels (SurfaceDice, VOI, TopoScore)", [](CLI::App& cmd) {
  auto a = std::make_shared<ScoreArgs>();
  cmd.add_option("--pred", a->pred, "folder of <id>.tif predictions (nonzero = surface)")->required();
  cmd.add_option("--labels", a->labels, "folder of <id>.tif labels (0/1, 2 = unlabeled)")->required();
  cmd.add_option("--tolerance", a->tolerance, "SurfaceDice tolerance tau in voxels")->check(CLI::PositiveNumber);
  cmd.add_flag("--json", a->json,
               "print JSON: {\"volumes\": [...], \"mean\": {...}, \"left_out_of_mean\": [...]}; per volume the "
               "terms, VOI split/merge in bits and the Betti-matching counts");
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

    const std::vector<vwb::VolumeScore> scores = scoreAll(*a, labeled);
    std::vector<std::string> leftOut;
    for (const auto& s : scores)
      if (s.allIgnored) {
        leftOut.push_back(s.id);
        std::fprintf(stderr, "warning: %s: the label is 2 (unlabeled) everywhere; left out of the mean\n",
                     (fs::path(a->labels) / (s.id + ".tif")).string().c_str());
      }
    const bool anyScored = leftOut.size() < scores.size();
    const vwb::VolumeScore mean = vwb::meanScore(scores);
    if (a->json) {
      nlohmann::json out;
      out["volumes"] = nlohmann::json::array();
      for (const auto& s : scores) out["volumes"].push_back(toJson(s, true));
      out["mean"] = anyScored ? toJson(mean, false) : nlohmann::json();
      out["volumes_in_mean"] = scores.size() - leftOut.size();
      out["left_out_of_mean"] = leftOut;
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
    std::printf("%-16s %12s %10s %10s %8s  %9s %9s  %-26s\n", "id", "surface_dice", "voi_score", "topo_score", "score",
                "voi_split", "voi_merge", "betti matched/pred/gt 0|1|2");
    for (const auto& s : scores) {
      char betti[96];
      std::snprintf(betti, sizeof betti, "%lld/%lld/%lld|%lld/%lld/%lld|%lld/%lld/%lld", (long long)s.matched[0],
                    (long long)s.predPairs[0], (long long)s.gtPairs[0], (long long)s.matched[1], (long long)s.predPairs[1],
                    (long long)s.gtPairs[1], (long long)s.matched[2], (long long)s.predPairs[2], (long long)s.gtPairs[2]);
      std::printf("%-16s %12.4f %10.4f %10.4f %8.4f  %9.4f %9.4f  %s%s\n", s.id.c_str(), s.surfaceDice, s.voiScore,
                  s.topoScore, s.score, s.voiSplit, s.voiMerge, betti, s.allIgnored ? "  (all ignored: not in mean)" : "");
    }
    if (anyScored)
      std::printf("%-16s %12.4f %10.4f %10.4f %8.4f  %9.4f %9.4f\n", "mean", mean.surfaceDice, mean.voiScore,
                  mean.topoScore, mean.score, mean.voiSplit, mean.voiMerge);
    else
      std::printf("mean: none (every label is unlabeled everywhere)\n");
  });
});

// vwb check: scan a dataset in the competition layout, print every problem, exit 1 on errors.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "CommandRegistry.h"
#include "engine/core/Reporting.h"
#include "engine/data/Dataset.h"
#include "engine/data/DatasetPreprocessing.h"
#include "engine/data/Fingerprint.h"

namespace {

struct CheckArgs {
  std::string root;
  bool json = false;
  bool fingerprint = false;
  bool labelValues = true;  // decode every volume (through the cache) and check label values
  std::string cache;
};

nlohmann::json entriesJson(const std::vector<vwb::VolumeEntry>& entries) {
  nlohmann::json list = nlohmann::json::array();
  for (auto& e : entries)
    list.push_back({{"id", e.id}, {"scrollId", e.scrollId}, {"image", e.imagePath}, {"label", e.labelPath},
                    {"shape", {e.shape.d, e.shape.h, e.shape.w}}});
  return list;
}

void printSummary(const vwb::Dataset& ds) {
  int labelled = 0;
  for (auto& e : ds.train) labelled += !e.labelPath.empty();
  fmt::print("dataset:  {}\n", ds.root);
  fmt::print("train:    {} volumes ({} with labels)\n", ds.train.size(), labelled);
  fmt::print("test:     {} volumes\n", ds.test.size());
  fmt::print("{}", ds.report.format());
}

void printFingerprint(const vwb::DatasetFingerprint& f) {
  std::string shapes;
  for (auto& s : f.shapes) shapes += (shapes.empty() ? "" : ", ") + s.str();
  fmt::print("fingerprint:\n");
  fmt::print("  volumes:     {} train, {} test, {} scrolls\n", f.trainVolumes, f.testVolumes, f.scrolls);
  fmt::print("  shapes:      {} (min {}, max {})\n", shapes, f.minShape.str(), f.maxShape.str());
  fmt::print("  intensity:   p0.5 {:g}, p50 {:g}, p99.5 {:g}, mean {:.2f}, std {:.2f}\n", f.intensityP005,
             f.intensityP50, f.intensityP995, f.intensityMean, f.intensityStd);
  fmt::print("  labels:      background {:.4f}, surface {:.4f}, unlabeled {:.4f}\n", f.fractionBackground,
             f.fractionSurface, f.fractionUnlabeled);
  fmt::print("  train voxels: {}\n", f.totalTrainVoxels);
}

void run(const CheckArgs& a) {
  vwb::ConsoleSink console;
  // Headers here; then every strip/tile of every volume is decoded once by preprocessing, whose
  // cached verdicts (and label histograms) make a second check read nothing but the cache.
  vwb::Dataset ds = vwb::scanDataset(a.root, false, &console);
  if (a.labelValues) vwb::preprocessDataset(ds, a.cache, true, 0, &console, &console, nullptr);
  // A fingerprint of a broken dataset would describe the wrong data: only for clean ones.
  const bool fingerprint = a.fingerprint && ds.report.ok();
  vwb::DatasetFingerprint f;
  if (fingerprint) f = vwb::loadOrComputeFingerprint(ds, &console);
  if (a.json) {
    nlohmann::json j = {{"root", ds.root}, {"ok", ds.report.ok()}, {"errors", ds.report.errors},
                        {"warnings", ds.report.warnings}, {"train", entriesJson(ds.train)},
                        {"test", entriesJson(ds.test)}};
    if (fingerprint) j["fingerprint"] = nlohmann::json::parse(f.toJson());
    fmt::print("{}\n", j.dump(2));
  } else {
    printSummary(ds);
    if (fingerprint) printFingerprint(f);
    else if (a.fingerprint) fmt::print("fingerprint: skipped, fix the errors first\n");
  }
  if (!ds.report.ok()) throw vwb::cli::ExitCode{1};
}

}  // namespace

VWB_COMMAND(check, 14, "Check a dataset (competition layout); exit 1 if it has errors", [](CLI::App& cmd) {
  auto args = std::make_shared<CheckArgs>();
  cmd.add_option("data_dir", args->root, "Dataset folder (train_images/, train_labels/, ...)")->required();
  cmd.add_flag("--json", args->json, "Print the report as JSON");
  cmd.add_flag("--fingerprint", args->fingerprint, "Also print the dataset fingerprint (cached in .vwb/)");
  cmd.add_flag("!--no-label-values,!--no-decode", args->labelValues,
               "Read headers only: do not decode the volumes nor check label values (faster on a cold cache)");
  cmd.add_option("--cache", args->cache, "Preprocessed cache folder (default DATA/.vwb/cache)");
  cmd.callback([args] { run(*args); });
});

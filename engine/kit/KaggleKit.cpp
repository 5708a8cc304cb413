#include "engine/kit/KaggleKit.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

#include <fcntl.h>
#include <stdio.h>

#include "engine/core/Error.h"
#include "engine/export/PredictionFolder.h"
#include "engine/export/TempFolder.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/infer/PostProcessTuner.h"
#include "engine/infer/SlidingWindow.h"
#include "engine/infer/TestTimeAugmentation.h"
#include "engine/kit/KitNotebook.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/model/ModelMemory.h"
#include "engine/train/TrainConfig.h"

namespace fs = std::filesystem;

namespace vwb {

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fileError(path, "cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Tta parseTta(const std::string& name) {
  if (name == "none") return Tta::None;
  if (name == "flips") return Tta::Flips;
  if (name == "full") return Tta::Full;
  throw Error("TTA '" + name + "' is not none, flips or full");
}

std::string hours(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  return buf;
}

std::string sourceRootOf(const KaggleKitRequest& r) {
  if (!r.sourceRoot.empty()) return r.sourceRoot;
  if (const char* env = std::getenv("VWB_SOURCE_DIR"); env && *env) return env;
  return VWB_KIT_SOURCE_ROOT;
}

// A kit folder: its kit.json carries our format tag.
bool isKit(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "kit.json", ec)) return false;
  try {
    return nlohmann::json::parse(readText((dir / "kit.json").string())).value("format", "") == kKaggleKitFormat;
  } catch (const std::exception&) {
    return false;
  }
}

void copyInto(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (!fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec))
    throw fileError(from.string(), "cannot be copied into the kit (" + to.string() + "): " + ec.message());
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.flush();
  if (!out) throw fileError(path.string(), "cannot be written");
}

}  // namespace

std::vector<KitHardware> kaggleNotebookHardware() {
  // fp32 peaks: T4 8.1 TFLOP/s, P100 (PCIe 16 GB) 9.3 TFLOP/s; the predictor runs fp32. A
  // quarter of peak is an assumption, not a measurement (no T4 here): a base-16 U-Net's 3D
  // convolutions have 16-128 channels, where cuDNN's fp32 kernels are bound by memory more
  // than by arithmetic. The notebook measures its own volumes and adapts.
  return {{"2xT4", 2, 8.1, 0.25}, {"P100", 1, 9.3, 0.25}};
}

std::string KitTimeEstimate::text() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %d volumes x (%.0f s GPU + %.0f s host) + build %.0f min = %s of %s%s",
                hardware.name.c_str(), volumes, gpuSecondsPerVolume, hostSecondsPerVolume, buildSeconds / 60,
                hours(totalSeconds()).c_str(), hours(budgetSeconds).c_str(), fits() ? "" : " (does not fit)");
  return buf;
}

std::vector<std::string> kaggleKitSourceList(const std::string& root, bool training) {
  std::vector<std::string> files;
  std::istringstream in(readText(root + "/engine/kit/kit-sources.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const bool trainOnly = line.rfind("train ", 0) == 0;
    if (trainOnly == training) files.push_back(trainOnly ? line.substr(6) : line);
  }
  return files;
}

std::vector<std::string> kaggleKitSources(const std::string& root) {
  const std::string list = root + "/engine/kit/kit-sources.txt";
  std::vector<std::string> files = kaggleKitSourceList(root, false);
  for (const auto& f : kaggleKitSourceList(root, true)) files.push_back(f);
  // Every engine header the listed sources include, transitively.
  static const std::regex include(R"(^\s*#\s*include\s*["<](engine/[^">]+)[">])");
  std::set<std::string> seen(files.begin(), files.end());
  std::vector<std::string> todo = files;
  while (!todo.empty()) {
    const std::string file = todo.back();
    todo.pop_back();
    if (!fs::is_regular_file(root + "/" + file)) throw fileError(root + "/" + file, "is not there (named by " + list + ")");
    std::istringstream text(readText(root + "/" + file));
    std::smatch m;
    for (std::string line; std::getline(text, line);)
      if (std::regex_search(line, m, include) && seen.insert(m[1]).second) todo.push_back(m[1]);
  }
  return {seen.begin(), seen.end()};
}

KaggleKitPlan planKaggleKit(const KaggleKitRequest& r) {
  std::error_code ec;
  if (!fs::is_directory(r.runDir, ec)) throw fileError(r.runDir, "is not a run folder");
  if (r.hiddenVolumes < 1 || r.hiddenVolumes > 100000)
    throw Error("--hidden-volumes " + std::to_string(r.hiddenVolumes) + " is outside its range [1, 100000]");
  const fs::path run(r.runDir);
  KaggleKitPlan plan;

  std::vector<std::string> checkpoints = r.checkpoints;
  if (checkpoints.empty()) {
    const fs::path best = run / "checkpoints" / "best.pt";
    if (!fs::is_regular_file(best, ec))
      throw fileError(r.runDir, "the run has no checkpoint (checkpoints/best.pt): train it first, or name one "
                                "with --checkpoint");
    checkpoints.push_back(best.string());
  }
  if (!r.weights.empty() && r.weights.size() != checkpoints.size())
    throw Error(std::to_string(r.weights.size()) + " weights for " + std::to_string(checkpoints.size()) +
                " checkpoints: give one per checkpoint");
  double sum = 0;
  for (double w : r.weights) {
    if (!(w > 0)) throw Error("ensemble weights must be positive");
    sum += w;
  }
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    if (!fs::is_regular_file(checkpoints[i], ec)) throw fileError(checkpoints[i], "checkpoint not found");
    const CheckpointInfo info = readCheckpointInfo(checkpoints[i]);  // throws naming the file
    KaggleKitPlan::Model m;
    m.source = fs::absolute(checkpoints[i]).string();
    m.weight = r.weights.empty() ? 1.0 / double(checkpoints.size()) : r.weights[i] / sum;
    m.arch = archName(info.model.arch);
    m.patch = info.patch;
    m.parameters = parameterCount(info.model);
    m.forwardFlops = estimateForwardFlops(info.model, {info.patch, info.patch, info.patch});
    plan.models.push_back(m);
  }

  // The training notebook's settings: --train-config, else the run's own (RUN/config.json), through
  // TrainConfig's codec; what names this machine or this dataset is reset.
  {
    const std::string file = !r.trainConfig.empty() ? r.trainConfig : (run / "config.json").string();
    TrainConfig c;
    if (r.trainConfig.empty() && !fs::exists(file, ec)) {
      plan.warnings.push_back(file + " is missing: the training notebook starts from the default settings");
    } else {
      try {
        c = TrainConfig::fromJson(readText(file));
      } catch (const Error& e) {
        throw fileError(file, e.what());
      }
    }
    if (r.trainConfig.empty()) {
      c.validation.patches = -1;  // auto: sized again on the notebook's data
      c.validation.every = 1;
    }
    c.run.dir.clear();
    c.run.dataDir.clear();
    c.data.cacheDir.clear();
    c.run.resume = false;
    c.distributed.devices = {"cpu"};  // the notebook gives every GPU present, and the strategy follows them
    c.distributed.strategy = StrategyKind::Auto;
    c.distributed.nnodes = 1;
    c.distributed.nodeRank = 0;
    c.distributed.master.clear();
    c.distributed.bind.clear();
    plan.trainConfigJson = c.toJson();
    plan.trainConfigSource = fs::exists(file, ec) ? file : "defaults";
  }

  // What made the run's last predictions (predictions.json): their TTA and overlap are the run's.
  nlohmann::json settings = nlohmann::json::object();
  const fs::path manifest = run / "predictions" / kPredictionManifestName;
  if (fs::is_regular_file(manifest, ec)) {
    const std::string text = PredictionManifest::fromJson(readText(manifest.string()), manifest.string()).settings;
    settings = nlohmann::json::parse(text.empty() ? "{}" : text);
    plan.settingsSource = manifest.string();
  }
  plan.tta = r.tta.value_or(settings.value("tta", plan.tta));
  plan.ttaAverage = r.ttaAverage.value_or(settings.value("tta_average", plan.ttaAverage));
  plan.overlap = r.overlap.value_or(settings.value("overlap", plan.overlap));
  const bool flags = r.tta || r.ttaAverage || r.overlap;
  if (flags) plan.settingsSource = plan.settingsSource.empty() ? "flags" : "flags, the rest from " + plan.settingsSource;
  else if (plan.settingsSource.empty()) plan.settingsSource = "defaults";
  parseTta(plan.tta);
  if (plan.ttaAverage != "probability" && plan.ttaAverage != "logit")
    throw Error("TTA average '" + plan.ttaAverage + "' is not probability or logit");
  if (!(plan.overlap >= 0 && plan.overlap < 1)) throw Error("overlap " + std::to_string(plan.overlap) + " is outside [0, 1)");

  // The post-processing, through the engine's one codec: --preset, else the run's record (the
  // Predictions page's RUN/predictions/postprocess.json), else what made its last predictions.
  const fs::path record = run / "predictions" / "postprocess.json";
  auto readPreset = [](const std::string& path) {
    try {
      return postProcessFromJson(readText(path));
    } catch (const Error& e) {
      throw fileError(path, e.what());
    }
  };
  if (!r.preset.empty()) {
    plan.post = readPreset(r.preset), plan.postSource = r.preset;
  } else if (fs::is_regular_file(record, ec)) {
    try {
      plan.post = readPreset(record.string()), plan.postSource = record.string();
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (give the run's post-processing as a preset in the engine's format "
                                          "instead: --preset, e.g. from vwb tune)");
    }
  } else if (settings.contains("postprocess")) {
    try {
      plan.post = postProcessFromJson(settings["postprocess"].dump());
    } catch (const Error& e) {
      throw fileError(manifest.string(), e.what());
    }
    plan.postSource = manifest.string();
  } else {
    plan.postSource = "defaults";
    plan.warnings.push_back("the run has no post-processing record (" + record.string() +
                            "): the kit thresholds at 0.5 and does nothing else");
  }
  if (const std::string p = postProcessProblem(plan.post); !p.empty()) throw fileError(plan.postSource, p);

  for (const KitHardware& hw : kaggleNotebookHardware()) {
    KitTimeEstimate e;
    e.hardware = hw;
    e.volumes = r.hiddenVolumes;
    for (const auto& m : plan.models) {
      const double tiles = std::pow(double(windowStarts(e.volumeEdge, m.patch, plan.overlap).size()), 3);
      const double transforms = double(ttaTransforms(parseTta(plan.tta), {m.patch, m.patch, m.patch}).size());
      e.flopsPerVolume += tiles * transforms * m.forwardFlops;
    }
    e.gpuSecondsPerVolume = e.flopsPerVolume / (hw.gpus * hw.peakTflops * 1e12 * hw.efficiency);
    if (!e.fits())
      plan.warnings.push_back("the kit would not fit Kaggle's 9 hours on " + hw.name + ": " + e.text() +
                              "; the notebook drops TTA variants when it measures that it is late");
    plan.estimates.push_back(e);
  }
  return plan;
}

int64_t writeKaggleKit(const KaggleKitRequest& r, const KaggleKitPlan& plan) {
  std::error_code ec;
  const fs::path out = fs::absolute(r.out).lexically_normal();
  if (out.filename().empty()) throw fileError(r.out, "is not a folder name");
  if (fs::exists(fs::symlink_status(out, ec))) {
    if (!fs::is_directory(fs::symlink_status(out, ec))) throw fileError(r.out, "exists and is not a folder");
    if (!fs::is_empty(out, ec) && !isKit(out))
      throw fileError(r.out, "exists and is not a Kaggle kit (no kit.json of format " + std::string(kKaggleKitFormat) +
                                 "): choose a new or empty folder");
  }
  const fs::path run = fs::weakly_canonical(r.runDir);
  const fs::path canonicalOut = fs::weakly_canonical(out);
  if (canonicalOut == run) throw fileError(r.out, "is the run folder itself");
  fs::create_directories(out.parent_path(), ec);

  const std::string root = sourceRootOf(r);
  const std::vector<std::string> sources = kaggleKitSources(root);
  const fs::path resources = fs::path(root) / "resources" / "kaggle-kit";

  TempFolder staging((out.parent_path() / ("." + out.filename().string() + ".kit-")).string());
  const fs::path dir(staging.path());
  ::chmod(dir.c_str(), 0755);  // mkdtemp's 0700 would make the uploaded dataset unreadable to others

  nlohmann::json models = nlohmann::json::array();
  for (size_t i = 0; i < plan.models.size(); ++i) {
    const auto& m = plan.models[i];
    const std::string file = "models/model-" + std::to_string(i + 1) + ".pt";
    copyInto(m.source, dir / file);
    models.push_back({{"file", file}, {"source", m.source}, {"weight", m.weight}, {"arch", m.arch},
                      {"patch", m.patch}, {"parameters", m.parameters}, {"forward_gflop_per_patch", m.forwardFlops / 1e9}});
  }
  for (const std::string& s : sources) copyInto(fs::path(root) / s, dir / "src" / s);
  for (const bool training : {false, true}) {
    std::string list = std::string("# The engine sources of libvwbkit.so") + (training ? "'s training build" : "") +
                       " (copied from " + root + ")\n";
    for (const std::string& s : kaggleKitSourceList(root, training)) list += s + "\n";
    writeText(dir / "src" / (training ? "train-sources.txt" : "sources.txt"), list);
  }
  copyInto(resources / "CMakeLists.txt", dir / "src" / "CMakeLists.txt");
  copyInto(resources / "compat" / "zlib.h", dir / "src" / "compat" / "zlib.h");
  copyInto(resources / "vwbkit.py", dir / "vwbkit.py");
  // nlohmann/json (MIT) is header-only and in no Kaggle image: the kit carries the copy this vwb
  // was built with, with its licence.
  const fs::path json = VWB_KIT_NLOHMANN_DIR;
  fs::create_directories(dir / "src" / "third_party", ec);
  fs::copy(json / "nlohmann", dir / "src" / "third_party" / "nlohmann", fs::copy_options::recursive, ec);
  if (ec) throw fileError((json / "nlohmann").string(), "cannot be copied into the kit: " + ec.message());
  if (fs::is_regular_file(VWB_KIT_NLOHMANN_LICENSE, ec))
    copyInto(VWB_KIT_NLOHMANN_LICENSE, dir / "src" / "third_party" / "nlohmann" / "COPYRIGHT");
  // {fmt} (MIT), used header-only (FMT_HEADER_ONLY) by the trainer's sources: the same way.
  const fs::path fmtDir = fs::path(VWB_KIT_FMT_DIR) / "fmt";
  fs::copy(fmtDir, dir / "src" / "third_party" / "fmt", fs::copy_options::recursive, ec);
  if (ec) throw fileError(fmtDir.string(), "cannot be copied into the kit: " + ec.message());
  if (fs::is_regular_file(VWB_KIT_FMT_LICENSE, ec))
    copyInto(VWB_KIT_FMT_LICENSE, dir / "src" / "third_party" / "fmt" / "COPYRIGHT");

  nlohmann::json estimates = nlohmann::json::object();
  for (const auto& e : plan.estimates)
    estimates[e.hardware.name] = {{"gpus", e.hardware.gpus}, {"peak_tflops_fp32", e.hardware.peakTflops},
                                  {"efficiency", e.hardware.efficiency}, {"volumes", e.volumes},
                                  {"volume_edge", e.volumeEdge}, {"tflop_per_volume", e.flopsPerVolume / 1e12},
                                  {"gpu_seconds_per_volume", e.gpuSecondsPerVolume},
                                  {"host_seconds_per_volume", e.hostSecondsPerVolume},
                                  {"build_seconds", e.buildSeconds}, {"total_seconds", e.totalSeconds()},
                                  {"fits", e.fits()}, {"text", e.text()}};
  const nlohmann::json kit{
      {"format", kKaggleKitFormat},
      {"run", run.string()},
      {"models", models},
      {"inference", {{"tta", plan.tta}, {"tta_average", plan.ttaAverage}, {"overlap", plan.overlap}, {"batch", 2},
                     {"from", plan.settingsSource}}},
      {"postprocess", nlohmann::json::parse(postProcessToJson(plan.post))},
      {"postprocess_from", plan.postSource},
      {"hidden_volumes", r.hiddenVolumes},
      {"budget_seconds", 9 * 3600},
      {"budget_share", 0.9},
      {"estimates", estimates},
      {"competition", {{"data", "/kaggle/input/vesuvius-challenge-surface-detection"},
                       {"submission", "/kaggle/working/submission.zip"}}},
      {"training", {{"config", kKaggleKitTrainConfig}, {"from", plan.trainConfigSource},
                    {"notebook", kKaggleKitTrainNotebook}, {"run_folder", kKaggleKitRunFolder},
                    {"session_hours", 11.0}}},
  };
  writeText(dir / "kit.json", kit.dump(2) + "\n");
  writeText(dir / kKaggleKitNotebook, kaggleKitNotebook(kit.dump()));
  writeText(dir / kKaggleKitTrainConfig, plan.trainConfigJson + "\n");
  writeText(dir / kKaggleKitTrainNotebook, kaggleKitTrainNotebook(kit.dump(), plan.trainConfigJson));
  writeText(dir / "README.md", kaggleKitReadme(kit.dump()));

  int64_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) bytes += int64_t(e.file_size());
  // The swap: `out` is at every moment the old kit (or nothing) or the new one.
  if (fs::exists(fs::symlink_status(out, ec))) {
    if (::renameat2(AT_FDCWD, dir.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) != 0)
      throw fileError(r.out, std::string("cannot be replaced: ") + std::strerror(errno));
  } else if (::rename(dir.c_str(), out.c_str()) != 0) {
    throw fileError(r.out, std::string("cannot be written: ") + std::strerror(errno));
  }
  return bytes;  // the staging folder (now the old kit, or gone) goes with `staging`
}

}  // namespace vwb

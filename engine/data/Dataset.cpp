// scanDataset: discover the competition layout and list every problem in one report.
#include "engine/data/Dataset.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/core/Error.h"
#include "engine/store/DatasetCache.h"
#include "engine/data/detail/IdCsv.h"
#include "engine/core/ParallelFor.h"
#include "engine/core/TextFile.h"
#include "engine/io/TiffVolume.h"

namespace fs = std::filesystem;

namespace vwb {

namespace {

// Numeric ids sort as numbers ("9" before "10"), others after them as text.
bool idLess(const std::string& a, const std::string& b) {
  auto numeric = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  bool na = numeric(a), nb = numeric(b);
  if (na != nb) return na;
  if (na && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

struct Scanner {
  fs::path root;
  DatasetReport& report;
  const store::DatasetCache* cache = nullptr;  // fresh entries stand in for header probes

  // Messages name files relative to the dataset root: shorter and still unambiguous.
  std::string rel(const std::string& message) const {
    std::string prefix = root.string() + "/", out = message;
    for (size_t at; (at = out.find(prefix)) != std::string::npos;) out.erase(at, prefix.size());
    return out;
  }
  // The same problem can be found twice (probing a file, then reading its labels): report it once.
  void error(const std::string& m) {
    const std::string text = rel(m);
    if (std::find(report.errors.begin(), report.errors.end(), text) == report.errors.end())
      report.errors.push_back(text);
  }
  void warning(const std::string& m) { report.warnings.push_back(rel(m)); }

  // id -> absolute path of <id>.tif / <id>.tiff in a folder (empty map if the folder is absent).
  std::map<std::string, std::string, decltype(&idLess)> listVolumes(const std::string& folder) {
    std::map<std::string, std::string, decltype(&idLess)> out(&idLess);
    std::error_code ec;
    const fs::path dir = root / folder;
    if (!fs::is_directory(dir, ec)) return out;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path p = it->path();
      if (p.filename().string().front() == '.') continue;  // hidden, e.g. macOS "._1.tif" forks
      std::string ext = p.extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
      if (ext != ".tif" && ext != ".tiff") continue;
      const std::string id = p.stem().string();
      auto [pos, inserted] = out.emplace(id, p.string());
      if (!inserted) error(folder + "/: two files for id " + id + ": " + fs::path(pos->second).filename().string() +
                           " and " + p.filename().string());
    }
    if (ec) error(folder + "/: cannot list folder: " + ec.message());
    return out;
  }

  // The CSV's id -> scroll id; problems go to the report.
  std::map<std::string, std::string> readCsv(const std::string& name, bool expected) {
    std::map<std::string, std::string> out;
    const fs::path p = root / name;
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      if (expected) warning(name + " is missing: scroll ids are unknown");
      return out;
    }
    try {
      auto csv = detail::parseIdCsv(readWholeFile(p.string()), name);
      for (auto& e : csv.errors) error(e);
      for (auto& w : csv.warnings) warning(w);
      for (auto& row : csv.rows) out[row.id] = row.scrollId;
    } catch (const Error& e) {
      error(e.what());
    }
    return out;
  }

  // Shape of a volume from its header; problems go to the report.
  Shape3 probe(const std::string& path, const char* what) {
    try {
      TiffInfo info = probeTiff(path);
      if (info.dtype != DType::U8) {
        error(path + ": " + what + " holds " + dtypeName(info.dtype) + " voxels, expected uint8");
        return {};
      }
      return info.shape;
    } catch (const Error& e) {
      error(e.what());
      return {};
    }
  }

  std::vector<VolumeEntry> scanSplit(const std::string& split, bool withLabels, const CancelToken* cancel) {
    const std::string imagesDir = split + "_images", labelsDir = split + "_labels", csvName = split + ".csv";
    auto images = listVolumes(imagesDir);
    std::error_code ec;
    const bool haveImages = fs::is_directory(root / imagesDir, ec);
    const bool haveLabels = withLabels && fs::is_directory(root / labelsDir, ec);
    auto csv = readCsv(csvName, haveImages);
    decltype(images) labels(&idLess);
    if (withLabels) {
      labels = listVolumes(labelsDir);
      if (haveImages && !haveLabels) error(labelsDir + "/ folder is missing: the training volumes have no labels");
    }
    std::vector<VolumeEntry> entries;
    for (auto& [id, path] : images) {
      if (cancel) cancel->throwIfCancelled();
      VolumeEntry e;
      e.id = id;
      e.imagePath = path;
      auto row = csv.find(id);
      if (row != csv.end()) e.scrollId = row->second;
      else if (!csv.empty()) warning(imagesDir + "/" + fs::path(path).filename().string() + " has no row in " + csvName);
      auto label = labels.find(id);
      // A volume the cache decoded whole, from these very files (size, mtime), needs no probe:
      // reading 320 page headers per file is most of a scan of the full release.
      std::optional<store::CacheEntry> cached;
      if (cache) cached = cache->fresh({id, split, path, label != labels.end() ? label->second : ""});
      if (cached && !cached->decoded) cached.reset();
      e.shape = cached ? cached->shape : probe(path, "image");
      if (label != labels.end()) {
        e.labelPath = label->second;
        Shape3 ls = cached && cached->problem.empty() ? cached->shape : probe(label->second, "label");
        if (!e.shape.empty() && !ls.empty() && ls != e.shape)
          error(split + " volume " + id + ": image is " + e.shape.str() + " but its label " + labelsDir + "/" +
                fs::path(label->second).filename().string() + " is " + ls.str());
      } else if (haveLabels) {
        error(split + " volume " + id + ": no label " + labelsDir + "/" + id + ".tif");
      }
      entries.push_back(e);
    }
    for (auto& [id, path] : labels)
      if (!images.count(id)) warning(labelsDir + "/" + fs::path(path).filename().string() + " has no image in " + imagesDir + "/");
    for (auto& [id, scroll] : csv)
      if (!images.count(id)) warning(csvName + " lists id " + id + " but " + imagesDir + "/" + id + ".tif does not exist");
    return entries;
  }

  // Reads every label volume (a few at a time): values outside {0,1,2}, and labels with no
  // surface at all. Problems are collected per volume and reported in id order.
  void checkLabelValues(const std::vector<VolumeEntry>& train, ProgressSink* progress, const CancelToken* cancel) {
    std::vector<const VolumeEntry*> todo;
    for (auto& e : train)
      if (!e.labelPath.empty() && !e.shape.empty()) todo.push_back(&e);
    std::vector<std::string> errors(todo.size()), warnings(todo.size());
    std::mutex mutex;
    int64_t done = 0;
    if (progress) progress->progress("checking label values", 0, int64_t(todo.size()));
    parallelFor(todo.size(), threadsUpTo(4), [&](size_t i) {
      if (cancel) cancel->throwIfCancelled();
      const std::string& path = todo[i]->labelPath;
      try {
        std::array<int64_t, 256> histogram{};
        // A fresh preprocessed cache entry already holds the label's histogram: no decoding.
        std::optional<store::CacheEntry> cached;
        if (cache) cached = cache->fresh({todo[i]->id, "train", todo[i]->imagePath, path});
        if (cached && !cached->decoded) throw Error(cached->problem);
        if (cached) {
          histogram = cached->labelHistogram;
        } else {
          VolumeU8 label = readVolumeU8(path);
          for (uint8_t v : label.data) ++histogram[v];
        }
        int64_t outside = 0;
        std::string values;
        for (int v = 3; v < 256; ++v)
          if (histogram[size_t(v)]) {
            outside += histogram[size_t(v)];
            if (values.size() < 40) values += (values.empty() ? "" : ", ") + std::to_string(v);
          }
        if (outside)
          errors[i] = path + ": " + std::to_string(outside) + " voxels have values outside {0,1,2} (" + values + ")";
        else if (histogram[1] == 0)
          warnings[i] = path + ": no surface voxels (label 1) at all";
      } catch (const Error& e) {
        errors[i] = e.what();
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (progress) progress->progress("checking label values", ++done, int64_t(todo.size()));
    });
    for (auto& e : errors)
      if (!e.empty()) error(e);
    for (auto& w : warnings)
      if (!w.empty()) warning(w);
  }
};

}  // namespace

std::string DatasetReport::format() const {
  if (errors.empty() && warnings.empty()) return "no problems found\n";
  std::string out;
  if (!errors.empty()) {
    out += std::to_string(errors.size()) + (errors.size() == 1 ? " error:\n" : " errors:\n");
    for (auto& e : errors) out += "  error: " + e + "\n";
  }
  if (!warnings.empty()) {
    out += std::to_string(warnings.size()) + (warnings.size() == 1 ? " warning:\n" : " warnings:\n");
    for (auto& w : warnings) out += "  warning: " + w + "\n";
  }
  return out;
}

Dataset scanDataset(const std::string& rootPath, bool checkLabels, ProgressSink* progress,
                    const CancelToken* cancel) {
  std::error_code ec;
  fs::path root = fs::absolute(rootPath, ec).lexically_normal();
  if (root.has_filename() == false) root = root.parent_path();  // drop a trailing '/'
  if (!fs::exists(root, ec)) throw fileError(rootPath, "the dataset folder does not exist");
  if (!fs::is_directory(root, ec)) throw fileError(rootPath, "is not a folder");
  fs::directory_iterator probe(root, ec);
  if (ec) throw fileError(rootPath, "cannot read folder: " + ec.message());

  Dataset ds;
  ds.root = root.string();
  // Scanning only reads: findCache, which creates nothing (locateCache would make .vwb/cache in
  // any folder opened, a dataset or not). No cache: every header is probed.
  std::unique_ptr<store::DatasetCache> cache;
  try {
    cache = std::make_unique<store::DatasetCache>(store::findCache(root.string()).dir);
  } catch (const Error&) {
  }
  Scanner scanner{root, ds.report, cache.get()};
  // Anything else in the root (deprecated_* folders from older releases, .vwb caches) is ignored.
  const bool train = fs::is_directory(root / "train_images", ec), test = fs::is_directory(root / "test_images", ec);
  if (!train && !test) {
    scanner.error("no train_images/ or test_images/ folder: not a dataset in the competition layout");
    return ds;
  }
  ds.train = scanner.scanSplit("train", true, cancel);
  ds.test = scanner.scanSplit("test", false, cancel);
  if (train && ds.train.empty()) scanner.warning("train_images/ contains no .tif volumes");
  if (checkLabels) scanner.checkLabelValues(ds.train, progress, cancel);
  return ds;
}

}  // namespace vwb

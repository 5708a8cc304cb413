// Dataset fingerprint: statistics the planner needs, computed from exact histograms.
#include "engine/core/AtomicFile.h"
#include "engine/data/Fingerprint.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/core/Error.h"
#include "engine/data/Dataset.h"
#include "engine/core/ParallelFor.h"
#include "engine/core/TextFile.h"
#include "engine/io/TiffVolume.h"
#include "engine/store/DatasetCache.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace vwb {

namespace {

constexpr int kFormatVersion = 1;
using Histogram = std::array<int64_t, 256>;

// Histograms of many uint8 volumes, read by a few threads, or taken from fresh entries of the
// preprocessed cache (no decoding). Sums of counts do not depend on which thread read what, so
// the result is deterministic.
struct HistogramSource {
  std::string path;
  store::CacheVolumeSpec spec;  // the cache entry that may hold it
  bool label = false;
};
Histogram histogramOf(const std::vector<HistogramSource>& sources, const store::DatasetCache* cache,
                      const std::string& stage, ProgressSink* progress, const CancelToken* cancel) {
  Histogram total{};
  std::mutex mutex;
  int64_t done = 0;
  parallelFor(sources.size(), threadsUpTo(4), [&](size_t i) {
    if (cancel) cancel->throwIfCancelled();
    Histogram local{};
    std::optional<store::CacheEntry> cached;
    if (cache) cached = cache->fresh(sources[i].spec);
    if (cached && cached->decoded) {
      local = sources[i].label ? cached->labelHistogram : cached->imageHistogram;
    } else {
      VolumeU8 v = readVolumeU8(sources[i].path);
      for (uint8_t x : v.data) ++local[x];
    }
    std::lock_guard<std::mutex> lock(mutex);
    for (size_t k = 0; k < 256; ++k) total[k] += local[k];
    if (progress) progress->progress(stage, ++done, int64_t(sources.size()));
  });
  return total;
}

// numpy.percentile's default (linear interpolation between closest ranks), exact from counts.
double percentile(const Histogram& h, double p) {
  int64_t n = 0;
  for (auto c : h) n += c;
  if (n == 0) return 0;
  auto valueAtRank = [&](int64_t k) {  // k-th smallest value, 0-based
    int64_t seen = 0;
    for (size_t v = 0; v < 256; ++v)
      if ((seen += h[v]) > k) return double(v);
    return 255.0;
  };
  double pos = p / 100.0 * double(n - 1);
  int64_t lo = int64_t(std::floor(pos)), hi = int64_t(std::ceil(pos));
  double a = valueAtRank(lo), b = valueAtRank(hi);
  return a + (b - a) * (pos - double(lo));
}

json shapeJson(const Shape3& s) { return json::array({s.d, s.h, s.w}); }
Shape3 shapeFrom(const json& j) { return {j.at(0).get<int64_t>(), j.at(1).get<int64_t>(), j.at(2).get<int64_t>()}; }

// What the cache depends on: every volume's relative path, size and modification time.
json cacheKey(const Dataset& ds) {
  json key = json::array();
  auto add = [&](const std::string& path) {
    if (path.empty()) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;
    int64_t mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    key.push_back({fs::path(path).lexically_relative(ds.root).string(), int64_t(st.st_size), mtimeNs});
  };
  for (auto& e : ds.train) add(e.imagePath), add(e.labelPath);
  for (auto& e : ds.test) add(e.imagePath);
  return key;
}

}  // namespace

std::string DatasetFingerprint::toJson() const {
  json shapesJson = json::array();
  for (auto& s : shapes) shapesJson.push_back(shapeJson(s));
  json j = {
      {"version", kFormatVersion},
      {"trainVolumes", trainVolumes},
      {"testVolumes", testVolumes},
      {"scrolls", scrolls},
      {"shapes", shapesJson},
      {"minShape", shapeJson(minShape)},
      {"maxShape", shapeJson(maxShape)},
      {"intensity", {{"p0.5", intensityP005}, {"p50", intensityP50}, {"p99.5", intensityP995},
                     {"mean", intensityMean}, {"std", intensityStd}}},
      {"labelFractions", {{"background", fractionBackground}, {"surface", fractionSurface},
                          {"unlabeled", fractionUnlabeled}}},
      {"totalTrainVoxels", totalTrainVoxels},
  };
  return j.dump(2) + "\n";
}

DatasetFingerprint DatasetFingerprint::fromJson(const std::string& text) {
  try {
    json j = json::parse(text);
    if (j.at("version").get<int>() != kFormatVersion)
      throw Error("fingerprint format version " + j.at("version").dump() + ", expected " + std::to_string(kFormatVersion));
    DatasetFingerprint f;
    f.trainVolumes = j.at("trainVolumes").get<int>();
    f.testVolumes = j.at("testVolumes").get<int>();
    f.scrolls = j.at("scrolls").get<int>();
    for (auto& s : j.at("shapes")) f.shapes.push_back(shapeFrom(s));
    f.minShape = shapeFrom(j.at("minShape"));
    f.maxShape = shapeFrom(j.at("maxShape"));
    const json& in = j.at("intensity");
    f.intensityP005 = in.at("p0.5").get<double>();
    f.intensityP50 = in.at("p50").get<double>();
    f.intensityP995 = in.at("p99.5").get<double>();
    f.intensityMean = in.at("mean").get<double>();
    f.intensityStd = in.at("std").get<double>();
    const json& lf = j.at("labelFractions");
    f.fractionBackground = lf.at("background").get<double>();
    f.fractionSurface = lf.at("surface").get<double>();
    f.fractionUnlabeled = lf.at("unlabeled").get<double>();
    f.totalTrainVoxels = j.at("totalTrainVoxels").get<int64_t>();
    return f;
  } catch (const json::exception& e) {
    throw Error(std::string("invalid dataset fingerprint JSON: ") + e.what());
  }
}

DatasetFingerprint computeFingerprint(const Dataset& ds, ProgressSink* progress, const CancelToken* cancel) {
  DatasetFingerprint f;
  f.trainVolumes = int(ds.train.size());
  f.testVolumes = int(ds.test.size());
  std::set<std::string> scrolls;
  std::vector<Shape3> seen;
  std::vector<HistogramSource> images, labels;
  auto train = [](const VolumeEntry& e) { return store::CacheVolumeSpec{e.id, "train", e.imagePath, e.labelPath}; };
  auto test = [](const VolumeEntry& e) { return store::CacheVolumeSpec{e.id, "test", e.imagePath, ""}; };
  auto visit = [&](const VolumeEntry& e) {
    if (!e.scrollId.empty()) scrolls.insert(e.scrollId);
    if (e.shape.empty()) return;  // unreadable: the scan report has the error
    if (std::find(seen.begin(), seen.end(), e.shape) == seen.end()) seen.push_back(e.shape);
    f.minShape = seen.size() == 1 ? e.shape : Shape3{std::min(f.minShape.d, e.shape.d), std::min(f.minShape.h, e.shape.h), std::min(f.minShape.w, e.shape.w)};
    f.maxShape = {std::max(f.maxShape.d, e.shape.d), std::max(f.maxShape.h, e.shape.h), std::max(f.maxShape.w, e.shape.w)};
  };
  for (auto& e : ds.train) {
    visit(e);
    if (e.shape.empty()) continue;
    images.push_back({e.imagePath, train(e), false});
    f.totalTrainVoxels += e.shape.voxels();
    if (!e.labelPath.empty()) labels.push_back({e.labelPath, train(e), true});
  }
  for (auto& e : ds.test) visit(e);
  if (images.empty())  // no training data: describe the test volumes' intensities instead
    for (auto& e : ds.test)
      if (!e.shape.empty()) images.push_back({e.imagePath, test(e), false});
  f.scrolls = int(scrolls.size());
  f.shapes = seen;

  std::unique_ptr<store::DatasetCache> cache;
  try {
    cache = std::make_unique<store::DatasetCache>(store::locateCache(ds.root).dir);
  } catch (const Error&) {  // no cache anywhere: decode
  }
  const Histogram in = histogramOf(images, cache.get(), "fingerprint: intensities", progress, cancel);
  int64_t n = 0;
  double sum = 0, sumSq = 0;
  for (size_t v = 0; v < 256; ++v) {
    n += in[v];
    sum += double(in[v]) * double(v);
    sumSq += double(in[v]) * double(v) * double(v);
  }
  if (n > 0) {
    f.intensityMean = sum / double(n);
    f.intensityStd = std::sqrt(std::max(0.0, sumSq / double(n) - f.intensityMean * f.intensityMean));
    f.intensityP005 = percentile(in, 0.5);
    f.intensityP50 = percentile(in, 50);
    f.intensityP995 = percentile(in, 99.5);
  }
  const Histogram lab = histogramOf(labels, cache.get(), "fingerprint: labels", progress, cancel);
  int64_t total = 0;
  for (auto c : lab) total += c;
  if (total > 0) {
    f.fractionBackground = double(lab[0]) / double(total);
    f.fractionSurface = double(lab[1]) / double(total);
    f.fractionUnlabeled = double(lab[2]) / double(total);
  }
  return f;
}

DatasetFingerprint loadOrComputeFingerprint(const Dataset& ds, ProgressSink* progress, const CancelToken* cancel) {
  const fs::path cacheDir = fs::path(ds.root) / ".vwb", cacheFile = cacheDir / "fingerprint.json";
  const json key = cacheKey(ds);
  std::error_code ec;
  if (fs::exists(cacheFile, ec)) {
    try {  // a stale, foreign or corrupt cache is simply recomputed
      json cached = json::parse(readWholeFile(cacheFile.string()));
      if (cached.at("key") == key) return DatasetFingerprint::fromJson(cached.at("fingerprint").dump());
    } catch (const std::exception&) {
    }
  }
  DatasetFingerprint f = computeFingerprint(ds, progress, cancel);
  try {  // a read-only dataset is fine: nothing is cached
    fs::create_directories(cacheDir, ec);
    if (!ec) {
      json cached = {{"key", key}, {"fingerprint", json::parse(f.toJson())}};
      writeFileAtomically(cacheFile.string(), cached.dump(1) + "\n");
    }
  } catch (const Error&) {
  }
  return f;
}

}  // namespace vwb

#include "engine/data/DatasetPreprocessing.h"

#include <sys/statvfs.h>

#include <cstdio>
#include <filesystem>

namespace vwb {

namespace {
// The label check's words, identical to the scanner's when it decodes labels itself.
void labelCheck(const store::CacheEntry& e, const std::string& labelPath, DatasetReport& report) {
  int64_t outside = 0;
  std::string values;
  for (int v = 3; v < 256; ++v)
    if (e.labelHistogram[size_t(v)]) {
      outside += e.labelHistogram[size_t(v)];
      if (values.size() < 40) values += (values.empty() ? "" : ", ") + std::to_string(v);
    }
  if (outside)
    report.errors.push_back(labelPath + ": " + std::to_string(outside) + " voxels have values outside {0,1,2} (" +
                            values + ")");
  else if (e.labelHistogram[1] == 0)
    report.warnings.push_back(labelPath + ": no surface voxels (label 1) at all");
}
}  // namespace

std::vector<store::CacheVolumeSpec> cacheSpecs(const Dataset& ds, bool includeTest) {
  std::vector<store::CacheVolumeSpec> specs;
  for (const auto& e : ds.train)
    if (!e.shape.empty() && (includeTest || !e.labelPath.empty()))
      specs.push_back({e.id, "train", e.imagePath, e.labelPath});
  if (includeTest)
    for (const auto& e : ds.test)
      if (!e.shape.empty()) specs.push_back({e.id, "test", e.imagePath, ""});
  return specs;
}

// Whether the scan already reported a problem with this file (it names files relative to the
// dataset root): a file the header probe found broken is one problem, not two.
bool alreadyReported(const Dataset& ds, const std::string& path) {
  const std::string relative = std::filesystem::path(path).lexically_relative(ds.root).string();
  for (const auto& error : ds.report.errors)
    if (error.rfind(path + ":", 0) == 0 || (!relative.empty() && error.rfind(relative + ":", 0) == 0)) return true;
  return false;
}

int64_t addCacheVerdicts(Dataset& ds, const store::DatasetCache& cache, const std::vector<store::CacheVolumeSpec>& specs) {
  int64_t missing = 0;
  for (const auto& s : specs) {
    auto e = cache.fresh(s);
    if (!e) {
      ++missing;
      continue;
    }
    if (!e->decoded) {
      if (!alreadyReported(ds, s.imagePath) && !alreadyReported(ds, s.labelPath)) ds.report.errors.push_back(e->problem);
    }
    else if (!s.labelPath.empty()) labelCheck(*e, s.labelPath, ds.report);
  }
  return missing;
}

int64_t freeBytesAt(const std::string& dir) {
  std::filesystem::path p = dir;
  std::error_code ec;
  while (!p.empty() && !std::filesystem::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
  struct statvfs fs {};
  if (p.empty() || ::statvfs(p.c_str(), &fs) != 0) return -1;
  return int64_t(fs.f_bavail) * int64_t(fs.f_frsize);
}

CacheReadiness cacheReadiness(const Dataset& ds, const std::string& cacheDir) {
  const std::string dir = cacheDir.empty() ? store::findCache(ds.root).dir : std::filesystem::absolute(cacheDir).string();
  const store::DatasetCache cache(dir);
  const auto specs = cacheSpecs(ds, false);
  CacheReadiness r;
  if (!specs.empty()) r.cachedFraction = double(cache.freshCount(specs)) / double(specs.size());
  r.diskFreeBytes = freeBytesAt(dir);
  return r;
}

store::PreprocessReport preprocessDataset(Dataset& ds, const std::string& cacheDir, bool includeTest, int jobs,
                                          LogSink* log, ProgressSink* progress, const CancelToken* cancel,
                                          std::string* usedDir) {
  store::CacheLocation where = store::locateCache(ds.root, cacheDir);
  if (log && !where.note.empty()) log->log(LogLevel::Warning, where.note);
  if (usedDir) *usedDir = where.dir;
  store::DatasetCache cache(where.dir);
  auto specs = cacheSpecs(ds, includeTest);
  store::PreprocessOptions options;
  options.jobs = jobs;
  store::PreprocessReport report = cache.preprocess(specs, options, progress, cancel);
  if (log && report.staleTempFilesRemoved > 0)
    log->log(LogLevel::Info, "removed " + std::to_string(report.staleTempFilesRemoved) +
                                 " temporary file(s) an interrupted preprocessing left in " + where.dir);
  if (log && report.oldFormatBytesRemoved > 0) {
    char gib[32];
    std::snprintf(gib, sizeof gib, "%.2f", double(report.oldFormatBytesRemoved) / double(1ll << 30));
    log->log(LogLevel::Info, "removed the cache of an older format (" + std::string(gib) + " GiB) from " + where.dir +
                                 ": this build reads format " + std::to_string(store::kCacheFormatVersion));
  }
  addCacheVerdicts(ds, cache, specs);
  for (const auto& p : report.environmentProblems)
    ds.report.errors.push_back(p + " (a problem of the machine, not of the volume: nothing was recorded, "
                                   "the next vwb preprocess tries again)");
  return report;
}

}  // namespace vwb

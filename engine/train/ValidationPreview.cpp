#include "engine/train/ValidationPreview.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "engine/core/Error.h"
#ifdef VWB_HAVE_DATASET_IO
#include "engine/io/TiffVolume.h"
#endif

namespace vwb {

namespace fs = std::filesystem;

std::string previewRelativePath(int64_t epoch) {
  char name[48];
  std::snprintf(name, sizeof name, "%s/epoch-%04lld.tif", kPreviewsFolder, static_cast<long long>(epoch));
  return name;
}

int64_t previewEpochOf(const std::string& fileName) {
  const std::string prefix = "epoch-", suffix = ".tif";
  if (fileName.size() <= prefix.size() + suffix.size() || fileName.compare(0, prefix.size(), prefix) != 0 ||
      fileName.compare(fileName.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  const std::string digits = fileName.substr(prefix.size(), fileName.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 12 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(digits);
}

int64_t previewSlice(const uint8_t* label, int64_t d, int64_t h, int64_t w) {
  std::vector<int64_t> perSlice(static_cast<size_t>(std::max<int64_t>(d, 0)), 0);
  int64_t total = 0;
  for (int64_t z = 0; z < d; ++z) {
    const uint8_t* page = label + z * h * w;
    for (int64_t i = 0; i < h * w; ++i) perSlice[static_cast<size_t>(z)] += page[i] == 1;
    total += perSlice[static_cast<size_t>(z)];
  }
  if (total == 0) return d / 2;
  int64_t seen = 0;
  for (int64_t z = 0; z < d; ++z) {
    seen += perSlice[static_cast<size_t>(z)];
    if (2 * seen >= total) return z;
  }
  return d / 2;
}

int64_t writeValidationPreview(const std::string& runDir, int64_t epoch, const ValidationPreview& p) {
  const fs::path path = fs::path(runDir) / previewRelativePath(epoch);
#ifdef VWB_HAVE_DATASET_IO
  const size_t n = static_cast<size_t>(p.height * p.width);
  if (n == 0 || p.image.size() != n || p.probability.size() != n || p.label.size() != n)
    throw fileError(path.string(), "internal: a preview's three pages must each hold height x width pixels");
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) throw fileError(path.parent_path().string(), "cannot create the folder: " + ec.message());
  VolumeU8 pages({3, p.height, p.width});
  std::copy(p.image.begin(), p.image.end(), pages.data.begin());
  std::copy(p.probability.begin(), p.probability.end(), pages.data.begin() + static_cast<std::ptrdiff_t>(n));
  std::copy(p.label.begin(), p.label.end(), pages.data.begin() + static_cast<std::ptrdiff_t>(2 * n));
  writeVolumeU8(path.string(), pages, TiffCompression::Deflate);  // atomic (engine/core/AtomicFile.h)
  return static_cast<int64_t>(fs::file_size(path, ec));
#else
  (void)epoch, (void)p;
  throw fileError(path.string(), "this build has no TIFF writer (engine/io)");
#endif
}

ValidationPreview readValidationPreview(const std::string& path) {
#ifdef VWB_HAVE_DATASET_IO
  const VolumeU8 pages = readVolumeU8(path);
  if (pages.shape.d != 3)
    throw fileError(path, "a validation preview has 3 pages (CT, prediction, label), this file has " +
                              std::to_string(pages.shape.d));
  ValidationPreview p;
  p.height = pages.shape.h;
  p.width = pages.shape.w;
  const auto n = static_cast<std::ptrdiff_t>(p.height * p.width);
  p.image.assign(pages.data.begin(), pages.data.begin() + n);
  p.probability.assign(pages.data.begin() + n, pages.data.begin() + 2 * n);
  p.label.assign(pages.data.begin() + 2 * n, pages.data.end());
  p.z = -1;  // not in the file: metrics.jsonl records the volume and slice
  return p;
#else
  throw fileError(path, "this build has no TIFF reader (engine/io)");
#endif
}

int prunePreviews(const std::string& runDir, int keep, int64_t keepEpoch) {
  const fs::path dir = fs::path(runDir) / kPreviewsFolder;
  std::vector<std::pair<int64_t, fs::path>> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const int64_t epoch = previewEpochOf(it->path().filename().string());
    if (epoch >= 0 && it->is_regular_file(ec)) files.emplace_back(epoch, it->path());
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  int removed = 0;
  for (size_t i = static_cast<size_t>(std::max(keep, 0)); i < files.size(); ++i)
    if (files[i].first != keepEpoch && fs::remove(files[i].second, ec)) ++removed;
  return removed;
}

}  // namespace vwb

// A folder of numbered 2D slices (00.tif, 01.tif, ...) read as one volume, as in the 2023
// ink-detection layout (surface_volume/).
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "engine/core/Error.h"
#include "engine/io/TiffVolume.h"
#include "engine/io/detail/TiffHandle.h"
#include "engine/io/detail/TiffPages.h"

namespace fs = std::filesystem;

namespace vwb {

namespace {

struct Slice {
  int64_t number;
  std::string path;
};

// "07.tif" -> 7; anything not <digits>.tif / .tiff -> -1.
int64_t sliceNumber(const std::string& name) {
  auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot > 9) return -1;
  std::string ext = name.substr(dot + 1);
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != "tif" && ext != "tiff") return -1;
  for (size_t i = 0; i < dot; ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
  return std::stoll(name.substr(0, dot));
}

std::vector<Slice> listSlices(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw fileError(dir, "is not a folder of slices");
  std::vector<Slice> slices;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    int64_t n = sliceNumber(it->path().filename().string());
    if (n >= 0) slices.push_back({n, it->path().string()});
  }
  if (ec) throw fileError(dir, "cannot list folder: " + ec.message());
  if (slices.empty()) throw fileError(dir, "contains no numbered slices (00.tif, 01.tif, ...)");
  std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) { return a.number < b.number; });
  for (size_t i = 1; i < slices.size(); ++i) {
    const Slice &prev = slices[i - 1], &cur = slices[i];
    auto name = [](const Slice& s) { return fs::path(s.path).filename().string(); };
    if (cur.number == prev.number)
      throw fileError(dir, "has two files for slice " + std::to_string(cur.number) + ": " + name(prev) +
                               " and " + name(cur));
    if (cur.number != prev.number + 1)
      throw fileError(dir, "slice " + std::to_string(prev.number + 1) + " is missing (" + name(prev) +
                               " is followed by " + name(cur) + ")");
  }
  return slices;
}

// Opens one slice and checks that it is a single page.
detail::PageLayout openSlice(detail::TiffHandle& tif) {
  int64_t pages = detail::countPages(tif);
  if (pages != 1)
    throw fileError(tif.path(), "has " + std::to_string(pages) + " pages; a slice must be one 2D image");
  return detail::readPageLayout(tif, 0);
}

void checkSameAsFirstSlice(const std::string& path, const detail::PageLayout& l,
                           const detail::PageLayout& first, const std::string& firstPath) {
  if (l.width != first.width || l.height != first.height || l.dtype != first.dtype)
    throw fileError(path, "is " + std::to_string(l.height) + "x" + std::to_string(l.width) + " " +
                              dtypeName(l.dtype) + " but " + fs::path(firstPath).filename().string() +
                              " is " + std::to_string(first.height) + "x" + std::to_string(first.width) +
                              " " + dtypeName(first.dtype) + "; all slices must agree");
}

}  // namespace

TiffInfo probeSliceFolder(const std::string& dir) {
  auto slices = listSlices(dir);
  detail::PageLayout first;
  for (size_t i = 0; i < slices.size(); ++i) {
    detail::TiffHandle tif(slices[i].path, detail::kTiffReadMode);
    auto layout = openSlice(tif);
    if (i == 0) first = layout;
    else checkSameAsFirstSlice(slices[i].path, layout, first, slices[0].path);
  }
  TiffInfo info = probeTiff(slices[0].path);
  info.shape.d = static_cast<int64_t>(slices.size());
  return info;
}

VolumeU8 readSliceFolderU8(const std::string& dir) {
  auto slices = listSlices(dir);
  VolumeU8 volume;
  detail::PageLayout first;
  std::vector<uint8_t> scratch, native;
  for (size_t i = 0; i < slices.size(); ++i) {
    detail::TiffHandle tif(slices[i].path, detail::kTiffReadMode);
    auto layout = openSlice(tif);
    if (i == 0) {
      first = layout;
      if (layout.dtype == DType::F32)
        throw fileError(tif.path(), "holds float32 values; slices must be uint8 or uint16");
      Shape3 shape{static_cast<int64_t>(slices.size()), layout.height, layout.width};
      detail::checkFitsInMemory(dir, shape, DType::U8);
      volume = VolumeU8(shape);
    } else {
      checkSameAsFirstSlice(slices[i].path, layout, first, slices[0].path);
    }
    const size_t pageVoxels = static_cast<size_t>(layout.width * layout.height);
    uint8_t* dst = volume.data.data() + i * pageVoxels;
    if (layout.dtype == DType::U8) {
      detail::readPage(tif, 0, layout, dst, scratch);
      continue;
    }
    native.resize(layout.bytes());
    detail::readPage(tif, 0, layout, native.data(), scratch);
    const uint16_t* src = reinterpret_cast<const uint16_t*>(native.data());
    for (size_t v = 0; v < pageVoxels; ++v) dst[v] = static_cast<uint8_t>(src[v] >> 8);
  }
  return volume;
}

}  // namespace vwb

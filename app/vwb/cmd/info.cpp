// vwb info: what a volume file (or a folder of slices) holds, and its value range.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "CommandRegistry.h"
#include "engine/io/TiffVolume.h"

namespace {

struct InfoArgs {
  std::vector<std::string> paths;
  bool json = false;
  bool stats = true;
};

struct ValueStats {
  double min = 0, max = 0, mean = 0;
};

template <class T>
ValueStats statsOf(const vwb::Volume<T>& v) {
  ValueStats s;
  if (v.data.empty()) return s;
  auto [lo, hi] = std::minmax_element(v.data.begin(), v.data.end());
  double sum = 0;
  for (T x : v.data) sum += double(x);
  return {double(*lo), double(*hi), sum / double(v.data.size())};
}

std::string layoutOf(const vwb::TiffInfo& i) {
  return i.tiled ? fmt::format("tiles of {}x{}", i.tileHeight, i.tileWidth)
                 : fmt::format("strips of {} rows", i.rowsPerStrip);
}

std::string compressionOf(const vwb::TiffInfo& i) {
  return i.compression == vwb::TiffCompression::Other ? fmt::format("other (TIFF code {})", i.compressionCode)
                                                      : vwb::compressionName(i.compression);
}

nlohmann::json describe(const std::string& path, const InfoArgs& a) {
  const bool folder = std::filesystem::is_directory(path);
  const vwb::TiffInfo info = folder ? vwb::probeSliceFolder(path) : vwb::probeTiff(path);
  ValueStats stats;
  if (a.stats) {
    if (folder) stats = statsOf(vwb::readSliceFolderU8(path));
    else if (info.dtype == vwb::DType::U8) stats = statsOf(vwb::readVolumeU8(path));
    else if (info.dtype == vwb::DType::U16) stats = statsOf(vwb::readVolumeU16(path));
    else stats = statsOf(vwb::readVolumeF32(path));
  }
  const std::string format = folder ? fmt::format("folder of {} slices", info.shape.d)
                                    : info.bigTiff ? "BigTIFF" : "classic TIFF";
  // Slices of uint16 are read as their high byte: the statistics say which range they describe.
  const std::string statsDtype = folder ? "uint8" : vwb::dtypeName(info.dtype);
  if (a.json) {
    nlohmann::json j = {{"path", path}, {"shape", {info.shape.d, info.shape.h, info.shape.w}},
                        {"dtype", vwb::dtypeName(info.dtype)}, {"format", format},
                        {"compression", compressionOf(info)}, {"tiled", info.tiled},
                        {"layout", layoutOf(info)}};
    if (a.stats) j["stats"] = {{"min", stats.min}, {"max", stats.max}, {"mean", stats.mean}, {"dtype", statsDtype}};
    return j;
  }
  fmt::print("file:         {}\n", path);
  fmt::print("shape:        {} (DxHxW)\n", info.shape.str());
  fmt::print("dtype:        {}\n", vwb::dtypeName(info.dtype));
  fmt::print("format:       {}\n", format);
  fmt::print("compression:  {}\n", compressionOf(info));
  fmt::print("layout:       {}\n", layoutOf(info));
  if (a.stats)
    fmt::print("min/max/mean: {:g} / {:g} / {:.3f}{}\n", stats.min, stats.max, stats.mean,
               folder && info.dtype != vwb::DType::U8 ? " (as uint8)" : "");
  return nullptr;
}

void run(const InfoArgs& a) {
  nlohmann::json all = nlohmann::json::array();
  for (size_t i = 0; i < a.paths.size(); ++i) {
    if (i > 0 && !a.json) fmt::print("\n");
    nlohmann::json j = describe(a.paths[i], a);
    if (a.json) all.push_back(j);
  }
  if (a.json) fmt::print("{}\n", (all.size() == 1 ? all[0] : all).dump(2));
}

}  // namespace

VWB_COMMAND(info, 12, "Show a volume's shape, dtype, compression, layout and value range", [](CLI::App& cmd) {
  auto args = std::make_shared<InfoArgs>();
  cmd.add_option("paths", args->paths, "Multi-page TIFFs, or folders of slices 00.tif, 01.tif, ...")->required();
  cmd.add_flag("--json", args->json, "Print JSON (an array for several paths)");
  cmd.add_flag("!--no-stats", args->stats, "Do not read the voxels (header only)");
  cmd.callback([args] { run(*args); });
});

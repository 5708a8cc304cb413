#include "engine/store/CacheEntry.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace vwb::store {

using nlohmann::json;

FileStamp FileStamp::of(const std::string& path) {
  FileStamp s;
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return s;
  s.size = st.st_size;
  s.mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return s;
}

std::string CacheEntry::toJson() const {
  json j = {{"format", format},
            {"id", id},
            {"role", role},
            {"image", {{"size", image.size}, {"mtime_ns", image.mtimeNs}}},
            {"label", {{"size", label.size}, {"mtime_ns", label.mtimeNs}}},
            {"edge", edge},
            {"shape", {shape.d, shape.h, shape.w}},
            {"decoded", decoded},
            {"problem", problem},
            {"image_histogram", imageHistogram},
            {"label_histogram", labelHistogram},
            {"data_file", dataFile},
            {"data_bytes", dataBytes}};
  return j.dump() + "\n";
}

CacheEntry CacheEntry::fromJson(const std::string& text) {
  try {
    json j = json::parse(text);
    CacheEntry e;
    e.format = j.at("format").get<int>();
    e.id = j.at("id").get<std::string>();
    e.role = j.at("role").get<std::string>();
    e.image = {j.at("image").at("size").get<int64_t>(), j.at("image").at("mtime_ns").get<int64_t>()};
    e.label = {j.at("label").at("size").get<int64_t>(), j.at("label").at("mtime_ns").get<int64_t>()};
    e.edge = j.at("edge").get<int64_t>();
    auto s = j.at("shape");
    e.shape = {s.at(0).get<int64_t>(), s.at(1).get<int64_t>(), s.at(2).get<int64_t>()};
    e.decoded = j.at("decoded").get<bool>();
    e.problem = j.at("problem").get<std::string>();
    e.imageHistogram = j.at("image_histogram").get<Histogram256>();
    e.labelHistogram = j.at("label_histogram").get<Histogram256>();
    e.dataFile = j.at("data_file").get<std::string>();
    e.dataBytes = j.at("data_bytes").get<int64_t>();
    return e;
  } catch (const json::exception& ex) {
    throw Error(std::string("invalid cache entry: ") + ex.what());
  }
}

}  // namespace vwb::store

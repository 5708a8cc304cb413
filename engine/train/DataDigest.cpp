#include "engine/train/DataDigest.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace vwb {

namespace {

uLong add(uLong crc, const void* data, size_t size) {
  return crc32_z(crc, reinterpret_cast<const Bytef*>(data), size);
}

std::string hex(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "%08x", v);
  return text;
}

std::string listed(const std::vector<std::string>& ids) {
  std::string out;
  const size_t shown = std::min<size_t>(ids.size(), 5);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + ids[i];
  if (ids.size() > shown) out += " and " + std::to_string(ids.size() - shown) + " more";
  return out;
}

}  // namespace

DataDigest digestData(const TrainingSource& source, const std::vector<int>& volumes) {
  const auto& all = source.volumes();
  std::vector<int> order = volumes;
  if (order.empty()) {
    order.resize(all.size());
    std::iota(order.begin(), order.end(), 0);
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) { return all[size_t(a)].id < all[size_t(b)].id; });
  DataDigest d;
  uLong total = crc32_z(0L, Z_NULL, 0);
  for (int i : order) {
    const SourceVolume& v = all[size_t(i)];
    const std::string head = v.id + " " + v.shape.str() + '\n';
    uLong crc = add(crc32_z(0L, Z_NULL, 0), head.data(), head.size());
    const auto& histogram = source.imageHistogram(i);
    crc = add(crc, histogram.data(), sizeof(histogram));
    const auto& foreground = source.foreground(i);
    crc = add(crc, foreground.data(), foreground.size() * sizeof(int64_t));
    d.volumes.push_back({v.id, uint32_t(crc)});
    total = add(total, head.data(), head.size());
    total = add(total, histogram.data(), sizeof(histogram));
    total = add(total, foreground.data(), foreground.size() * sizeof(int64_t));
  }
  d.crc = uint32_t(total);
  return d;
}

std::string DataDigest::summary() const { return std::to_string(volumes.size()) + " volume(s), crc32 " + hex(crc); }

std::string DataDigest::toJson() const {
  nlohmann::json per = nlohmann::json::object();
  for (const auto& v : volumes) per[v.id] = hex(v.crc);
  return nlohmann::json{{"crc32", hex(crc)}, {"volumes", per}}.dump();
}

DataDigest DataDigest::fromJson(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    DataDigest d;
    d.crc = uint32_t(std::stoul(j.at("crc32").get<std::string>(), nullptr, 16));
    for (auto it = j.at("volumes").begin(); it != j.at("volumes").end(); ++it)
      d.volumes.push_back({it.key(), uint32_t(std::stoul(it.value().get<std::string>(), nullptr, 16))});
    std::sort(d.volumes.begin(), d.volumes.end(), [](const Volume& a, const Volume& b) { return a.id < b.id; });
    return d;
  } catch (const std::exception& e) {
    throw Error(std::string("data digest: ") + e.what());
  }
}

std::string describeDataChange(const DataDigest& recorded, const DataDigest& now) {
  if (recorded.crc == now.crc && recorded.volumes.size() == now.volumes.size()) return {};
  std::map<std::string, uint32_t> before;
  for (const auto& v : recorded.volumes) before[v.id] = v.crc;
  std::vector<std::string> changed, added, removed;
  for (const auto& v : now.volumes) {
    auto it = before.find(v.id);
    if (it == before.end()) {
      added.push_back(v.id);
    } else {
      if (it->second != v.crc) changed.push_back(v.id);
      before.erase(it);
    }
  }
  for (const auto& [id, crc] : before) removed.push_back(id);
  std::string out;
  auto part = [&](const char* what, const std::vector<std::string>& ids) {
    if (!ids.empty()) out += std::string(out.empty() ? "" : "; ") + what + " " + listed(ids);
  };
  part("changed (image or label):", changed);
  part("added:", added);
  part("removed:", removed);
  if (out.empty()) out = "the volumes' order or content digest differs";
  return out + " (was " + recorded.summary() + ", now " + now.summary() + ")";
}

}  // namespace vwb

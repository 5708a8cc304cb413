#include "engine/distributed/detail/NodeAgreement.h"

#include <zlib.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/train/DataDigest.h"

namespace vwb::dist {
namespace {

const char* kSettingsKey = "vwb/settings/node-";
const char* kCheckedKey = "vwb/settings/checked";

// ids, shapes, intensity histograms and the (subsampled) label-1 positions of the training
// volumes (engine/train/DataDigest.h: what a resume checks too).
std::string dataDigest(const TrainingSource* source, const std::vector<int>& trainVolumes) {
  if (!source) return "no data";
  if (trainVolumes.empty()) return "0 volume(s)";
  return digestData(*source, trainVolumes).summary();
}

void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) flatten(it.value(), prefix + (prefix.empty() ? "" : ".") + it.key(), out);
  } else {
    out.emplace_back(prefix, j.is_string() ? j.get<std::string>() : j.dump());
  }
}

std::string textOf(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

}  // namespace

nlohmann::json agreedSettings(const TrainConfig& c, int localRanks, const TrainingSource* source,
                              const std::vector<int>& trainVolumes) {
  const nlohmann::json all = nlohmann::json::parse(c.toJson());
  nlohmann::json j;
  for (const char* key : {"model", "patch", "batch_per_device", "grad_accumulation", "epochs",
                          "steps_per_epoch", "lr", "weight_decay", "warmup_fraction", "grad_clip",
                          "foreground_fraction", "amp", "val_fraction", "val_crop", "val_patches", "val_every", "seed",
                          "strategy", "nnodes", "bucket_mb", "resume"})
    if (all.contains(key)) j[key] = all.at(key);
  j["local_ranks"] = localRanks;
  j["data"] = dataDigest(source, trainVolumes);
  return j;
}

std::string describeDisagreement(const std::vector<nlohmann::json>& nodes) {
  std::vector<std::pair<std::string, std::string>> zero;
  flatten(nodes.at(0), "", zero);
  std::string text;
  for (size_t n = 1; n < nodes.size(); ++n) {
    std::vector<std::pair<std::string, std::string>> other;
    flatten(nodes[n], "", other);
    auto valueIn = [](const auto& list, const std::string& key) -> std::string {
      for (const auto& [k, v] : list)
        if (k == key) return v;
      return "(unset)";
    };
    std::vector<std::string> keys;
    for (const auto& kv : zero) keys.push_back(kv.first);
    for (const auto& kv : other)
      if (std::find(keys.begin(), keys.end(), kv.first) == keys.end()) keys.push_back(kv.first);
    for (const std::string& key : keys) {
      const std::string a = valueIn(zero, key), b = valueIn(other, key);
      if (a == b) continue;
      if (!text.empty()) text += "; ";
      text += fmt::format("node {} has {}={}, node 0 has {}={}", n, key, b, key, a);
    }
  }
  return text;
}

void checkNodesAgree(c10d::Store& store, const RendezvousSpec& spec, const nlohmann::json& mine,
                     std::chrono::milliseconds timeout) {
  const std::string text = mine.dump();
  std::vector<nlohmann::json> nodes(size_t(spec.nnodes));
  try {
    store.set(kSettingsKey + std::to_string(spec.nodeRank), std::vector<uint8_t>(text.begin(), text.end()));
    for (int n = 0; n < spec.nnodes; ++n) {
      const std::string key = kSettingsKey + std::to_string(n);
      try {
        store.wait({key}, timeout);
      } catch (const std::exception&) {
        throw Error(fmt::format("node {}: node {} did not join the rendezvous at {}:{} within {} s",
                                spec.nodeRank, n, spec.master.host, spec.master.port,
                                timeout.count() / 1000));
      }
      const std::vector<uint8_t> v = store.get(key);
      nodes[size_t(n)] = nlohmann::json::parse(std::string(v.begin(), v.end()));
    }
    store.add(kCheckedKey, 1);
    if (spec.nodeRank == 0) {
      // Keep the store (hosted here) up until every node has read every node's settings.
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      while (store.add(kCheckedKey, 0) < spec.nnodes && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(fmt::format("node {}: comparing the nodes' settings through the rendezvous store at "
                            "{}:{} failed: {}", spec.nodeRank, spec.master.host, spec.master.port,
                            textOf(e)));
  }
  const std::string difference = describeDisagreement(nodes);
  if (!difference.empty())
    throw Error("the nodes disagree on settings that must be the same on every node (give every "
                "node the same flags, config and dataset): " + difference);
}

}  // namespace vwb::dist

#include "engine/train/ValidationSplit.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/core/TextFile.h"
#include "engine/train/SplitMix.h"

namespace vwb {

namespace {
// Seeded Fisher-Yates: the same order for the same seed on every platform.
template <class T>
void shuffle(std::vector<T>& v, uint64_t seed) {
  SplitMix rng(seed);
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(static_cast<int64_t>(i))]);
}
}  // namespace

ValidationSplit splitValidation(const std::vector<std::string>& scrollIds, double fraction,
                                uint64_t seed) {
  if (fraction < 0 || fraction >= 1)
    throw Error("validation fraction must be in [0, 1), got " + std::to_string(fraction));
  const int n = static_cast<int>(scrollIds.size());
  ValidationSplit split;
  std::vector<bool> isVal(n, false);
  if (fraction == 0 || n < 2) {
    for (int i = 0; i < n; ++i) split.train.push_back(i);
    split.reason = fraction == 0 ? "validation off (--val-fraction 0): training on all " +
                                       std::to_string(n) + " volumes"
                                 : n == 0 ? "no labelled training volumes: nothing to split"
                                          : "only one training volume: no validation";
    return split;
  }
  const int target = std::clamp(static_cast<int>(std::lround(fraction * n)), 1, n - 1);

  std::map<std::string, std::vector<int>> byScroll;
  for (int i = 0; i < n; ++i) byScroll[scrollIds[i]].push_back(i);
  bool grouped = false;
  if (byScroll.size() > 1) {
    std::vector<std::string> scrolls;
    for (auto& kv : byScroll) scrolls.push_back(kv.first);
    shuffle(scrolls, mixKeys(seed, 0x5C9011));
    // Take whole scrolls while they fit; accept if within one volume of the target.
    int taken = 0;
    std::vector<int> chosen;
    for (auto& s : scrolls) {
      int size = static_cast<int>(byScroll[s].size());
      if (taken + size <= target + 1 && taken + size < n) {
        for (int i : byScroll[s]) chosen.push_back(i);
        taken += size;
      }
      if (taken >= target) break;
    }
    if (taken >= std::max(1, target - 1) && taken > 0) {
      grouped = true;
      for (int i : chosen) isVal[i] = true;
      split.reason = "validation: " + std::to_string(taken) + " of " + std::to_string(n) +
                     " volumes, whole scrolls held out (" + std::to_string(byScroll.size()) +
                     " scrolls)";
    }
  }
  if (!grouped) {
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    shuffle(order, mixKeys(seed, 0x5B11));
    for (int k = 0; k < target; ++k) isVal[order[k]] = true;
    split.reason = "validation: " + std::to_string(target) + " of " + std::to_string(n) +
                   " volumes, split by volume" +
                   (byScroll.size() > 1 ? " (scrolls too unequal to hold out whole ones)" : "");
  }
  for (int i = 0; i < n; ++i) (isVal[i] ? split.validation : split.train).push_back(i);
  return split;
}

std::string splitToJson(const std::vector<std::string>& ids, const ValidationSplit& split) {
  nlohmann::json j;
  j["format"] = kSplitFormat;
  j["train"] = nlohmann::json::array();
  j["validation"] = nlohmann::json::array();
  for (int i : split.train) j["train"].push_back(ids.at(i));
  for (int i : split.validation) j["validation"].push_back(ids.at(i));
  j["reason"] = split.reason;
  return j.dump(2);
}

RecordedSplit splitFromJson(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw Error("a split is a JSON object");
  if (j.contains("format") && !(j["format"].is_string() && j["format"].get<std::string>() == kSplitFormat))
    throw Error("split of format " + j["format"].dump() + ": this build reads " + kSplitFormat);
  RecordedSplit s;
  auto ids = [&](const char* key, std::vector<std::string>& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) throw Error(std::string("a split without its \"") + key + "\" list");
    for (const auto& v : *it) {
      if (!v.is_string()) throw Error(std::string("\"") + key + "\" holds " + v.dump() + ", not a volume id");
      out.push_back(v.get<std::string>());
    }
  };
  ids("train", s.train);
  ids("validation", s.validation);
  if (auto it = j.find("reason"); it != j.end() && it->is_string()) s.reason = it->get<std::string>();
  return s;
}

RecordedSplit readSplitFile(const std::string& path) {
  const std::string text = readWholeFile(path, "the split");
  try {
    return splitFromJson(text);
  } catch (const Error& e) {
    throw fileError(path, e.what());
  }
}

}  // namespace vwb

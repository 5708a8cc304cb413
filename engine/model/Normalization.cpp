#include "engine/model/Normalization.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace vwb {

float Normalization::apply(double raw) const {
  double v = std::clamp(raw, clipLow, clipHigh);
  return static_cast<float>((v - mean) / std);
}

std::array<float, 256> Normalization::tableU8() const {
  std::array<float, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = apply(i);
  return t;
}

std::string Normalization::toJson() const {
  nlohmann::json j{{"scheme", "clip-zscore"}, {"clip_low", clipLow}, {"clip_high", clipHigh},
                   {"mean", mean}, {"std", std}};
  return j.dump();
}

Normalization Normalization::fromJson(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    Normalization n;
    n.clipLow = j.at("clip_low").get<double>();
    n.clipHigh = j.at("clip_high").get<double>();
    n.mean = j.at("mean").get<double>();
    n.std = j.at("std").get<double>();
    if (!(n.std > 0) || n.clipHigh < n.clipLow) throw Error("invalid values");
    return n;
  } catch (const std::exception& e) {
    throw Error(std::string("normalization record: ") + e.what());
  }
}

void addToHistogram(const VolumeU8& volume, std::array<int64_t, 256>& histogram) {
  for (uint8_t v : volume.data) ++histogram[v];
}

Normalization normalizationFromHistogram(const std::array<int64_t, 256>& h) {
  int64_t total = 0;
  for (auto c : h) total += c;
  Normalization n;
  if (total == 0) return n;
  auto percentile = [&](double q) {
    int64_t target = static_cast<int64_t>(std::ceil(q * static_cast<double>(total)));
    int64_t seen = 0;
    for (int i = 0; i < 256; ++i) {
      seen += h[i];
      if (seen >= std::max<int64_t>(target, 1)) return i;
    }
    return 255;
  };
  n.clipLow = percentile(0.005);
  n.clipHigh = percentile(0.995);
  double sum = 0, sumSq = 0;
  for (int i = 0; i < 256; ++i) {
    double v = std::clamp<double>(i, n.clipLow, n.clipHigh);
    sum += v * static_cast<double>(h[i]);
    sumSq += v * v * static_cast<double>(h[i]);
  }
  n.mean = sum / static_cast<double>(total);
  double var = sumSq / static_cast<double>(total) - n.mean * n.mean;
  n.std = std::max(std::sqrt(std::max(var, 0.0)), 1e-3);
  return n;
}

}  // namespace vwb

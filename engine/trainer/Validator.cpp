#include "engine/trainer/detail/Validator.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "engine/infer/SlidingWindow.h"
#include "engine/metrics/Dice.h"
#include "engine/train/SplitMix.h"
#include "engine/train/torch/Loss.h"

namespace vwb {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The sliding window of a full validation is infer's (SlidingWindow.h) at overlap 0: each voxel
// predicted about once keeps validation cheap; the windows are spread evenly, the first at 0 and
// the last flush with the end (a region smaller than the patch: one window at 0, padded past the
// end like a prediction), and where two windows meet they blend by Gaussian importance.
constexpr double kValidationOverlap = 0.0;

// The key of the validation patch set's i-th patch: the run's seed alone (not the step, not the
// rank), so the set is the same whenever and wherever it is drawn.
constexpr uint64_t kValidationStream = 0x76616C6964617465ULL;  // "validate"
}  // namespace

Validator::Validator(const TrainingSource& source, std::vector<int> volumes, const Normalization& norm,
                     const TrainConfig& config)
    : source_(source), volumes_(std::move(volumes)), config_(config),
      sampler_(source, volumes_, norm, config.data.patch, 1.0, AugmentOptions{false}) {}

FullValidationRecord fullValidationRecord(const ValidationResult& r, const std::string& checkpoint, int64_t step,
                                          int64_t epoch, int crop) {
  FullValidationRecord record;
  record.checkpoint = checkpoint;
  record.step = step;
  record.epoch = epoch;
  record.dice = r.dice;
  record.loss = r.loss;
  record.tiles = r.tiles;
  record.seconds = r.seconds;
  record.crop = crop;
  record.volumes = r.volumes;
  return record;
}

const std::vector<PatchSpec>& Validator::patchSet() {
  if (!drawn_) {
    for (int i = 0; i < std::max(0, config_.validation.patches); ++i)
      patchSet_.push_back(sampler_.draw(mixKeys(config_.run.seed, kValidationStream, uint64_t(i))));
    drawn_ = true;
  }
  return patchSet_;
}

std::string Validator::patchSetDigest() {
  uint64_t h = 0x5EED;
  for (const PatchSpec& s : patchSet())
    h = mixKeys(h, uint64_t(s.volume) << 48 ^ uint64_t(s.z & 0xFFFF) << 32 ^ uint64_t(s.y & 0xFFFF) << 16,
                uint64_t(s.x));
  return fmt::format("{:016x}", h);
}

std::optional<ValidationResult> Validator::patches(const PredictLogits& predict, const CancelToken& cancel,
                                                   bool withPreview) {
  const auto start = Clock::now();
  const auto& specs = patchSet();
  const int64_t P = config_.data.patch, voxels = P * P * P;
  const int64_t perForward = std::max(1, config_.data.batchPerDevice);
  ValidationResult r;
  DiceCounts dice;
  double lossSum = 0;
  for (size_t first = 0; first < specs.size(); first += size_t(perForward)) {
    if (cancel.cancelled()) return std::nullopt;
    const int64_t n = std::min<int64_t>(perForward, int64_t(specs.size() - first));
    auto image = torch::empty({n, 1, P, P, P}, torch::kFloat32);
    auto label = torch::empty({n, 1, P, P, P}, torch::kUInt8);
    for (int64_t k = 0; k < n; ++k)
      sampler_.extract(specs[first + size_t(k)], image.data_ptr<float>() + k * voxels,
                       label.data_ptr<uint8_t>() + k * voxels);
    auto logits = predict(image);
    lossSum += perSampleLoss(logits, label).sum().item<double>();
    const auto positive = (logits > 0).to(torch::kUInt8).contiguous();
    dice.add(countDice(positive.data_ptr<uint8_t>(), label.data_ptr<uint8_t>(), size_t(n * voxels)));
    r.tiles += n;
    if (first == 0 && withPreview) {  // the first patch's slice through the most of its surface
      auto t = Clock::now();
      const PatchSpec& s = specs[0];
      const uint8_t* lab = label.data_ptr<uint8_t>();
      if (previewZ_ < 0 || previewZ_ >= P) previewZ_ = previewSlice(lab, P, P, P);
      ValidationPreview p;
      p.volumeId = source_.volumes()[size_t(volumes_[size_t(s.volume)])].id;
      p.z = s.z + previewZ_;
      p.height = p.width = P;
      p.image.resize(size_t(P * P));
      source_.read(volumes_[size_t(s.volume)], p.z, s.y, s.x, 1, P, P, p.image.data(), nullptr);
      p.label.assign(lab + previewZ_ * P * P, lab + (previewZ_ + 1) * P * P);
      auto plane = (torch::sigmoid(logits[0][0][previewZ_]) * 255.0f).round().to(torch::kUInt8).contiguous();
      p.probability.assign(plane.data_ptr<uint8_t>(), plane.data_ptr<uint8_t>() + P * P);
      r.preview = std::move(p);
      r.previewSeconds += secondsSince(t);
    }
  }
  r.loss = lossSum / double(std::max<int64_t>(r.tiles, 1));
  r.dice = dice.dice();
  r.seconds = secondsSince(start);
  return r;
}

std::optional<ValidationResult> Validator::full(const PredictLogits& predict, const CancelToken& cancel,
                                                bool withPreviewWanted, ProgressSink* progress) {
  const auto start = Clock::now();
  const int64_t P = config_.data.patch, voxels = P * P * P;
  const int64_t tilesPerBatch = std::max(1, config_.data.batchPerDevice);
  const std::vector<float> importance = gaussianImportance({P, P, P});
  auto starts = [&](int64_t extent) { return windowStarts(extent, P, kValidationOverlap); };
  // Whole volume, or a fixed centred crop: the same voxels every time.
  auto region = [&](int64_t extent) {
    const int64_t size = config_.validation.crop > 0 ? std::min<int64_t>(config_.validation.crop, extent) : extent;
    return std::make_pair((extent - size) / 2, size);
  };
  ValidationResult r;
  r.full = true;
  DiceCounts dice;
  double lossSum = 0;
  int64_t totalTiles = 0;
  for (int v : volumes_) {
    const Shape3 shape = source_.volumes()[size_t(v)].shape;
    totalTiles += int64_t(starts(region(shape.d).second).size() * starts(region(shape.h).second).size() *
                          starts(region(shape.w).second).size());
  }
  for (int vi = 0; vi < static_cast<int>(volumes_.size()); ++vi) {
    const Shape3 shape = source_.volumes()[size_t(volumes_[size_t(vi)])].shape;
    auto [z0, dz] = region(shape.d);
    auto [y0, dy] = region(shape.h);
    auto [x0, dx] = region(shape.w);
    const size_t count = size_t(dz * dy * dx);
    // The Gaussian-weighted sum of the windows' probabilities and of their weights, per voxel.
    std::vector<float> sum(count, 0.0f), weight(count, 0.0f);
    // The region's labels, read through the source (from the cache: chunk by chunk).
    std::vector<uint8_t> lab(count);
    source_.read(volumes_[size_t(vi)], z0, y0, x0, dz, dy, dx, nullptr, lab.data());
    struct Window {
      int64_t z, y, x;  // in the region
    };
    std::vector<Window> windows;
    for (int64_t tz : starts(dz))
      for (int64_t ty : starts(dy))
        for (int64_t tx : starts(dx)) windows.push_back({tz, ty, tx});
    for (size_t first = 0; first < windows.size(); first += size_t(tilesPerBatch)) {
      if (cancel.cancelled()) return std::nullopt;
      const int64_t n = std::min<int64_t>(tilesPerBatch, int64_t(windows.size() - first));
      auto image = torch::empty({n, 1, P, P, P}, torch::kFloat32);
      auto label = torch::empty({n, 1, P, P, P}, torch::kUInt8);
      for (int64_t k = 0; k < n; ++k) {
        const Window& w = windows[first + size_t(k)];
        PatchSpec s;
        s.volume = vi;
        s.z = z0 + w.z, s.y = y0 + w.y, s.x = x0 + w.x;
        sampler_.extract(s, image.data_ptr<float>() + k * voxels, label.data_ptr<uint8_t>() + k * voxels);
      }
      auto logits = predict(image);
      lossSum += perSampleLoss(logits, label).sum().item<double>();
      r.tiles += n;
      if (progress) progress->progress("validating", r.tiles, totalTiles);
      const auto probability = torch::sigmoid(logits).contiguous();
      const float* prob = probability.data_ptr<float>();
      for (int64_t k = 0; k < n; ++k) {
        const Window& w = windows[first + size_t(k)];
        // The window's voxels inside the region (all of them unless the region is smaller).
        const int64_t ez = std::min(P, dz - w.z), ey = std::min(P, dy - w.y), ex = std::min(P, dx - w.x);
        for (int64_t z = 0; z < ez; ++z)
          for (int64_t y = 0; y < ey; ++y) {
            const size_t to = size_t(((w.z + z) * dy + w.y + y) * dx + w.x);
            const int64_t from = (z * P + y) * P;
            for (int64_t x = 0; x < ex; ++x) {
              const float g = importance[size_t(from + x)];
              sum[to + size_t(x)] += g * prob[k * voxels + from + x];
              weight[to + size_t(x)] += g;
            }
          }
      }
    }
    // Foreground where the blended probability is above 1/2 (the Gaussian weights are positive).
    std::vector<uint8_t> predicted(count);
    for (size_t i = 0; i < count; ++i) predicted[i] = sum[i] > 0.5f * weight[i];
    // The preview (first volume): one fixed slice of the blended probabilities.
    if (vi == 0 && withPreviewWanted) {
      auto t = Clock::now();
      if (previewZ_ < 0 || previewZ_ >= dz) previewZ_ = previewSlice(lab.data(), dz, dy, dx);
      ValidationPreview p;
      p.volumeId = source_.volumes()[static_cast<size_t>(volumes_[0])].id;
      p.z = z0 + previewZ_;
      p.height = dy;
      p.width = dx;
      p.image.resize(static_cast<size_t>(dy * dx));
      source_.read(volumes_[0], p.z, y0, x0, 1, dy, dx, p.image.data(), nullptr);
      const size_t plane = size_t(previewZ_ * dy * dx);
      p.label.assign(lab.begin() + std::ptrdiff_t(plane), lab.begin() + std::ptrdiff_t(plane + size_t(dy * dx)));
      p.probability.resize(size_t(dy * dx));
      for (size_t i = 0; i < p.probability.size(); ++i)
        p.probability[i] = uint8_t(std::clamp(std::lround(255.0f * sum[plane + i] / weight[plane + i]), 0L, 255L));
      r.preview = std::move(p);
      r.previewSeconds += secondsSince(t);
    }
    const DiceCounts volume = countDice(predicted.data(), lab.data(), count);
    dice.add(volume);
    r.volumes.push_back({source_.volumes()[size_t(volumes_[size_t(vi)])].id, volume.dice()});
  }
  r.loss = lossSum / static_cast<double>(std::max<int64_t>(r.tiles, 1));
  r.dice = dice.dice();
  r.seconds = secondsSince(start);
  return r;
}

}  // namespace vwb

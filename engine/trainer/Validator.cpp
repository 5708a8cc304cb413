#include "engine/trainer/detail/Validator.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "engine/train/SplitMix.h"
#include "engine/train/detail/Loss.h"

namespace vwb {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Tile starts covering [0, extent) with windows of `patch`, the last one flush with the end;
// a single centred (padded) window when the extent is smaller than the patch.
std::vector<int64_t> tileStarts(int64_t extent, int64_t patch) {
  if (extent <= patch) return {-(patch - extent) / 2};
  std::vector<int64_t> starts;
  for (int64_t s = 0; s + patch < extent; s += patch) starts.push_back(s);
  starts.push_back(extent - patch);
  return starts;
}

// The key of the validation patch set's i-th patch: the run's seed alone (not the step, not the
// rank), so the set is the same whenever and wherever it is drawn.
constexpr uint64_t kValidationStream = 0x76616C6964617465ULL;  // "validate"
}  // namespace

Validator::Validator(const TrainingSource& source, std::vector<int> volumes, const Normalization& norm,
                     const TrainConfig& config)
    : source_(source), volumes_(std::move(volumes)), config_(config),
      sampler_(source, volumes_, norm, config.patch, 1.0, AugmentOptions{false}) {}

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
    for (int i = 0; i < std::max(0, config_.valPatches); ++i)
      patchSet_.push_back(sampler_.draw(mixKeys(config_.seed, kValidationStream, uint64_t(i))));
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
  const int64_t P = config_.patch, voxels = P * P * P;
  const int64_t perForward = std::max(1, config_.batchPerDevice);
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
    dice.add(hardDiceCounts(logits, label));
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
  const int64_t P = config_.patch, voxels = P * P * P;
  const int64_t tilesPerBatch = std::max(1, config_.batchPerDevice);
  ValidationResult r;
  r.full = true;
  DiceCounts dice;
  double lossSum = 0;
  std::vector<Shape3> shapes;
  for (int v : volumes_) shapes.push_back(source_.volumes()[size_t(v)].shape);
  int64_t totalTiles = 0;
  for (const Shape3& shape : shapes) {
    auto n = [&](int64_t extent) {
      return int64_t(tileStarts(config_.valCrop > 0 ? std::min<int64_t>(config_.valCrop, extent) : extent, P).size());
    };
    totalTiles += n(shape.d) * n(shape.h) * n(shape.w);
  }
  for (int vi = 0; vi < static_cast<int>(volumes_.size()); ++vi) {
    const Shape3 shape = shapes[size_t(vi)];
    // Whole volume, or a fixed centred crop: the same voxels every time.
    auto region = [&](int64_t extent) {
      int64_t size = config_.valCrop > 0 ? std::min<int64_t>(config_.valCrop, extent) : extent;
      return std::make_pair((extent - size) / 2, size);
    };
    auto [z0, dz] = region(shape.d);
    auto [y0, dy] = region(shape.h);
    auto [x0, dx] = region(shape.w);
    // Predictions of the region (tiles may overlap at the far edges; the last write wins).
    std::vector<uint8_t> predicted(static_cast<size_t>(dz * dy * dx), 0);
    // The region's labels, read through the source (from the cache: chunk by chunk).
    std::vector<uint8_t> lab(predicted.size());
    source_.read(volumes_[static_cast<size_t>(vi)], z0, y0, x0, dz, dy, dx, nullptr, lab.data());
    // The preview (first volume): the probabilities of one fixed slice, taken from the tiles
    // validation predicts anyway.
    const bool withPreview = vi == 0 && withPreviewWanted;
    std::vector<uint8_t> previewProbability;
    if (withPreview) {
      auto t = Clock::now();
      if (previewZ_ < 0 || previewZ_ >= dz) previewZ_ = previewSlice(lab.data(), dz, dy, dx);
      previewProbability.assign(static_cast<size_t>(dy * dx), 0);
      r.previewSeconds += secondsSince(t);
    }
    std::vector<PatchSpec> specs;
    for (int64_t tz : tileStarts(dz, P))
      for (int64_t ty : tileStarts(dy, P))
        for (int64_t tx : tileStarts(dx, P)) {
          PatchSpec s;
          s.volume = vi;
          s.z = z0 + tz, s.y = y0 + ty, s.x = x0 + tx;
          specs.push_back(s);
        }
    for (size_t first = 0; first < specs.size(); first += tilesPerBatch) {
      if (cancel.cancelled()) return std::nullopt;
      int64_t n = std::min<int64_t>(tilesPerBatch, static_cast<int64_t>(specs.size() - first));
      auto image = torch::empty({n, 1, P, P, P}, torch::kFloat32);
      auto label = torch::empty({n, 1, P, P, P}, torch::kUInt8);
      for (int64_t k = 0; k < n; ++k)
        sampler_.extract(specs[first + k], image.data_ptr<float>() + k * voxels,
                         label.data_ptr<uint8_t>() + k * voxels);
      auto logits = predict(image);
      lossSum += perSampleLoss(logits, label).sum().item<double>();
      r.tiles += n;
      if (progress) progress->progress("validating", r.tiles, totalTiles);
      auto positive = (logits > 0).to(torch::kUInt8).contiguous();
      const uint8_t* pos = positive.data_ptr<uint8_t>();
      for (int64_t k = 0; k < n; ++k) {
        const PatchSpec& s = specs[first + k];
        if (const int64_t pz = previewZ_ + z0 - s.z; withPreview && pz >= 0 && pz < P) {
          auto t = Clock::now();
          auto plane = (torch::sigmoid(logits[k][0][pz]) * 255.0f).round().to(torch::kUInt8).contiguous();
          const uint8_t* prob = plane.data_ptr<uint8_t>();
          for (int64_t y = 0; y < P; ++y) {
            const int64_t ry = s.y + y - y0;
            if (ry < 0 || ry >= dy) continue;
            for (int64_t x = 0; x < P; ++x) {
              const int64_t rx = s.x + x - x0;
              if (rx >= 0 && rx < dx) previewProbability[static_cast<size_t>(ry * dx + rx)] = prob[y * P + x];
            }
          }
          r.previewSeconds += secondsSince(t);
        }
        for (int64_t z = 0; z < P; ++z) {
          int64_t rz = s.z + z - z0;
          if (rz < 0 || rz >= dz) continue;
          for (int64_t y = 0; y < P; ++y) {
            int64_t ry = s.y + y - y0;
            if (ry < 0 || ry >= dy) continue;
            for (int64_t x = 0; x < P; ++x) {
              int64_t rx = s.x + x - x0;
              if (rx < 0 || rx >= dx) continue;
              predicted[static_cast<size_t>((rz * dy + ry) * dx + rx)] =
                  pos[k * voxels + (z * P + y) * P + x];
            }
          }
        }
      }
    }
    if (withPreview) {
      auto t = Clock::now();
      ValidationPreview p;
      p.volumeId = source_.volumes()[static_cast<size_t>(volumes_[0])].id;
      p.z = z0 + previewZ_;
      p.height = dy;
      p.width = dx;
      p.image.resize(static_cast<size_t>(dy * dx));
      source_.read(volumes_[0], p.z, y0, x0, 1, dy, dx, p.image.data(), nullptr);
      const auto plane = lab.begin() + static_cast<std::ptrdiff_t>(previewZ_ * dy * dx);
      p.label.assign(plane, plane + static_cast<std::ptrdiff_t>(dy * dx));
      p.probability = std::move(previewProbability);
      r.preview = std::move(p);
      r.previewSeconds += secondsSince(t);
    }
    DiceCounts volume;
    for (int64_t z = 0; z < dz; ++z)
      for (int64_t y = 0; y < dy; ++y)
        for (int64_t x = 0; x < dx; ++x) {
          uint8_t t = lab[static_cast<size_t>((z * dy + y) * dx + x)];
          if (t == 2) continue;
          bool p = predicted[static_cast<size_t>((z * dy + y) * dx + x)] != 0;
          volume.predicted += p;
          volume.truth += t == 1;
          volume.intersection += p && t == 1;
        }
    dice.add(volume);
    r.volumes.push_back({source_.volumes()[size_t(volumes_[size_t(vi)])].id, volume.dice()});
  }
  r.loss = lossSum / static_cast<double>(std::max<int64_t>(r.tiles, 1));
  r.dice = dice.dice();
  r.seconds = secondsSince(start);
  return r;
}

}  // namespace vwb

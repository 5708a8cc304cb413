#include "engine/infer/SlidingWindowPredictor.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "engine/core/Error.h"
#include "engine/infer/SlidingWindow.h"
#include "engine/infer/TestTimeAugmentation.h"

namespace vwb {

namespace {

struct Window {
  int64_t z, y, x;
};

std::vector<Window> windowsOf(Shape3 padded, Shape3 patch, double overlap) {
  std::vector<Window> ws;
  for (int64_t z : windowStarts(padded.d, patch.d, overlap))
    for (int64_t y : windowStarts(padded.h, patch.h, overlap))
      for (int64_t x : windowStarts(padded.w, patch.w, overlap)) ws.push_back({z, y, x});
  return ws;
}

VolumeF32 padTo(const VolumeF32& image, Shape3 padded) {
  if (padded == image.shape) return image;
  VolumeF32 out(padded, 0.0f);
  for (int64_t z = 0; z < image.shape.d; ++z)
    for (int64_t y = 0; y < image.shape.h; ++y)
      std::copy_n(&image.data[image.index(z, y, 0)], image.shape.w, &out.data[out.index(z, y, 0)]);
  return out;
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// The blended sums, shared by the worker threads.
struct Accumulator {
  VolumeF32 sum, weight;
  std::mutex mutex;
  int64_t done = 0;
};

}  // namespace

SlidingWindowPredictor::SlidingWindowPredictor(Shape3 patch, SlidingWindowOptions options)
    : patch_(patch), options_(options) {
  if (patch.d <= 0 || patch.h <= 0 || patch.w <= 0) throw Error("sliding-window patch must be positive");
  if (!(options.overlap >= 0 && options.overlap < 1))
    throw Error("sliding-window overlap " + std::to_string(options.overlap) + " is outside [0, 1)");
  if (options.batch < 1) throw Error("sliding-window batch must be at least 1");
}

int64_t SlidingWindowPredictor::evaluations(Shape3 image) const {
  const Shape3 padded{std::max(image.d, patch_.d), std::max(image.h, patch_.h), std::max(image.w, patch_.w)};
  return static_cast<int64_t>(windowsOf(padded, patch_, options_.overlap).size() *
                              ttaTransforms(options_.tta, patch_).size());
}

VolumeF32 SlidingWindowPredictor::predict(const VolumeF32& image, const std::vector<TileModel>& models,
                                          ProgressSink* progress, const CancelToken* cancel) const {
  if (models.empty()) throw Error("sliding-window prediction needs at least one model");
  if (image.shape.empty()) throw Error("cannot predict an empty volume");
  const Shape3 padded{std::max(image.shape.d, patch_.d), std::max(image.shape.h, patch_.h),
                      std::max(image.shape.w, patch_.w)};
  const VolumeF32 input = padTo(image, padded);
  const std::vector<Window> windows = windowsOf(padded, patch_, options_.overlap);
  const std::vector<TtaTransform> transforms = ttaTransforms(options_.tta, patch_);
  const std::vector<float> importance = gaussianImportance(patch_);
  const int64_t variants = static_cast<int64_t>(transforms.size());
  const int64_t total = static_cast<int64_t>(windows.size()) * variants;  // (window, variant) pairs
  const int64_t pv = patch_.voxels();
  const bool probabilitySpace = options_.average == TtaAverage::Probability;

  Accumulator acc;
  acc.sum = VolumeF32(padded, 0.0f);
  acc.weight = VolumeF32(padded, 0.0f);
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;

  auto worker = [&](const TileModel& model) {
    std::vector<float> raw(static_cast<size_t>(pv)), in(static_cast<size_t>(pv * options_.batch)),
        out(in.size()), back(static_cast<size_t>(pv));
    try {
      while (!stop) {
        if (cancel) cancel->throwIfCancelled();
        const int64_t first = next.fetch_add(options_.batch);
        if (first >= total) break;
        const int64_t count = std::min<int64_t>(options_.batch, total - first);
        for (int64_t b = 0; b < count; ++b) {
          const Window& w = windows[static_cast<size_t>((first + b) / variants)];
          for (int64_t z = 0; z < patch_.d; ++z)
            for (int64_t y = 0; y < patch_.h; ++y)
              std::copy_n(&input.data[input.index(w.z + z, w.y + y, w.x)], patch_.w,
                          &raw[static_cast<size_t>((z * patch_.h + y) * patch_.w)]);
          applyTransform(transforms[static_cast<size_t>((first + b) % variants)], raw.data(),
                         &in[static_cast<size_t>(b * pv)], patch_);
        }
        model(in.data(), count, out.data());
        std::lock_guard<std::mutex> lock(acc.mutex);
        for (int64_t b = 0; b < count; ++b) {
          const Window& w = windows[static_cast<size_t>((first + b) / variants)];
          applyInverse(transforms[static_cast<size_t>((first + b) % variants)], &out[static_cast<size_t>(b * pv)],
                       back.data(), patch_);
          // Each variant carries 1/variants of its window's weight.
          size_t i = 0;
          for (int64_t z = 0; z < patch_.d; ++z)
            for (int64_t y = 0; y < patch_.h; ++y) {
              float* s = &acc.sum.data[acc.sum.index(w.z + z, w.y + y, w.x)];
              float* g = &acc.weight.data[acc.weight.index(w.z + z, w.y + y, w.x)];
              for (int64_t x = 0; x < patch_.w; ++x, ++i) {
                const float wt = importance[i] / static_cast<float>(variants);
                s[x] += wt * (probabilitySpace ? sigmoid(back[i]) : back[i]);
                g[x] += wt;
              }
            }
        }
        acc.done += count;
        if (progress) progress->progress("predicting tiles", acc.done, total);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(acc.mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  };
  if (models.size() == 1) {
    worker(models[0]);
  } else {
    std::vector<std::thread> threads;
    for (const TileModel& m : models) threads.emplace_back(worker, std::cref(m));
    for (auto& t : threads) t.join();
  }
  if (failure) std::rethrow_exception(failure);

  VolumeF32 result(image.shape);
  for (int64_t z = 0; z < image.shape.d; ++z)
    for (int64_t y = 0; y < image.shape.h; ++y)
      for (int64_t x = 0; x < image.shape.w; ++x) {
        const size_t j = acc.sum.index(z, y, x);
        const float v = acc.sum.data[j] / acc.weight.data[j];  // every voxel is covered: weight > 0
        result.at(z, y, x) = probabilitySpace ? v : sigmoid(v);
      }
  return result;
}

}  // namespace vwb

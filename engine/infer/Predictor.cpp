// The trained network as the sliding-window predictor's TileModel (torch lives only here).
#include "engine/infer/Predictor.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <thread>

#ifdef VWB_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include "engine/core/DeviceName.h"
#include "engine/core/Error.h"
#include "engine/core/HeapReuse.h"
#include "engine/infer/SlidingWindowPredictor.h"
#include "engine/model/Precision.h"
#include "engine/model/torch/ModelCheckpoint.h"

namespace vwb {

struct Predictor::Impl {
  PredictOptions options;
  CheckpointInfo info;
  std::vector<torch::Device> devices;
  std::vector<UNet3D> models;  // one replica per device, in eval mode
  std::vector<Precision> precisions;  // per device (autocast for the forward pass)
  std::string precisionNote;
  std::array<float, 256> normalize{};
  PredictTiming last;
};

PredictTiming& PredictTiming::operator+=(const PredictTiming& o) {
  evaluations += o.evaluations;
  networkSeconds += o.networkSeconds / std::max(1, o.workers) * std::max(1, workers);
  seconds += o.seconds;
  return *this;
}

double PredictTiming::outsideNetworkShare() const {
  if (seconds <= 0) return 0;
  return std::clamp(1.0 - networkSeconds / std::max(1, workers) / seconds, 0.0, 1.0);
}

Predictor::Predictor(const std::string& checkpointPath, const PredictOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  // LibTorch defaults to one intra-op thread on these machines: use the cores unless told.
  const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(std::max(1, threads));
  keepFreedMemoryForReuse();  // every tile's activations reuse the last tile's memory
  const std::vector<std::string> names = options.devices.empty() ? std::vector<std::string>{"cpu"} : options.devices;
  for (size_t d = 0; d < names.size(); ++d) {
    const std::string& name = names[d];
    const DeviceName parsed = parseDeviceName(name);
    requireVisibleGpu(name, parsed, torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0);
    const torch::Device device = parsed.cuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(parsed.index))
                                             : torch::Device(torch::kCPU);
    std::string why;
    // Refused here, before any volume, when the device cannot run the mode (fp16 on a CPU...).
    const std::pair<int, int> known = d < options.cudaCapabilities.size() ? options.cudaCapabilities[d] : std::pair{0, 0};
    impl_->precisions.push_back(resolvePrecision(options.amp, parsed, &why, known));
    // The choice is training's; inference has no gradients to scale.
    if (const size_t at = why.find(" with dynamic loss scaling"); at != std::string::npos) why.erase(at);
    impl_->precisionNote += (impl_->precisionNote.empty() ? "" : "\n") + name + ": " + why;
    // cuDNN picks the fastest convolution algorithm for the tile shape once, then reuses it.
    if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
    LoadedModel loaded = loadModelCheckpoint(checkpointPath, device);
    impl_->info = loaded.info;
    impl_->devices.push_back(device);
    impl_->models.push_back(loaded.model);
  }
  impl_->normalize = impl_->info.normalization.tableU8();
  // Validate options now rather than at the first volume.
  SlidingWindowOptions sw;
  sw.overlap = options.overlap, sw.batch = options.batch;
  SlidingWindowPredictor(patch(), sw);
}

Predictor::~Predictor() = default;

std::string Predictor::precisionNote() const { return impl_->precisionNote; }

Shape3 Predictor::patch() const {
  const int64_t p = impl_->info.patch;
  return {p, p, p};
}

PredictTiming Predictor::lastTiming() const { return impl_->last; }

VolumeU8 Predictor::predict(const VolumeU8& image, ProgressSink* progress, const CancelToken* cancel) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::atomic<int64_t> networkNs{0}, evaluations{0};
  const Shape3 p = patch();
  VolumeF32 input(image.shape);
  for (size_t i = 0; i < image.size(); ++i) input.data[i] = impl_->normalize[image.data[i]];

  std::vector<TileModel> models;
  for (size_t d = 0; d < impl_->models.size(); ++d) {
    const torch::Device device = impl_->devices[d];
    const int workers = impl_->options.workersPerDevice > 0 ? impl_->options.workersPerDevice : device.is_cuda() ? 2 : 1;
    for (int k = 0; k < workers; ++k)
      models.push_back([this, d, p, device, &networkNs, &evaluations](const float* in, int64_t count, float* out) {
        const auto called = Clock::now();
        c10::InferenceMode inference;
#ifdef VWB_WITH_CUDA
        // A stream per worker: this worker's copies and kernels overlap the other worker's.
        std::optional<c10::cuda::CUDAStreamGuard> stream;
        if (device.is_cuda()) stream.emplace(c10::cuda::getStreamFromPool(false, device.index()));
#endif
        torch::Tensor x = torch::from_blob(const_cast<float*>(in), {count, 1, p.d, p.h, p.w}, torch::kFloat32);
        torch::Tensor y;
        {
          AutocastScope autocast(impl_->precisions[d], device.is_cuda());
          y = impl_->models[d]->forward(x.to(device));
        }
        y = y.to(torch::kCPU, torch::kFloat32).contiguous();  // waits for this worker's stream only
        if (y.numel() != count * p.voxels())
          throw Error("the network returned " + std::to_string(y.numel()) + " values for " +
                      std::to_string(count) + " patches");
        std::memcpy(out, y.data_ptr<float>(), sizeof(float) * static_cast<size_t>(y.numel()));
        networkNs += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - called).count();
        evaluations += count;
      });
  }
  SlidingWindowOptions sw;
  sw.overlap = impl_->options.overlap;
  sw.tta = impl_->options.tta;
  sw.average = impl_->options.averageLogits ? TtaAverage::Logit : TtaAverage::Probability;
  sw.batch = impl_->options.batch;
  const VolumeF32 prob = SlidingWindowPredictor(p, sw).predict(input, models, progress, cancel);
  VolumeU8 out(image.shape);
  for (size_t i = 0; i < out.size(); ++i)
    out.data[i] = static_cast<uint8_t>(std::lround(std::clamp(prob.data[i], 0.0f, 1.0f) * 255.0f));
  impl_->last.evaluations = evaluations;
  impl_->last.networkSeconds = 1e-9 * double(networkNs);
  impl_->last.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  impl_->last.workers = static_cast<int>(models.size());
  return out;
}

}  // namespace vwb

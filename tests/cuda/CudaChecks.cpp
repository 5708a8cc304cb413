// vwb-cuda-tests: the engine's CUDA paths on a real GPU, as a plain C++ program (no Qt: a GPU
// server's image has LibTorch and little else). Each check is named for what it needs and
// skips, saying why, where that is absent; exit status = number of failures.
//   vwb-cuda-tests [NAME_SUBSTRING]
#include <torch/torch.h>
#include <torch/version.h>

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/Volume.h"
#include "engine/data/SyntheticScrolls.h"
#include "engine/infer/Predictor.h"
#include "engine/train/torch/DeviceSupport.h"
#include "engine/model/Precision.h"
#include "engine/trainer/Trainer.h"
#include "engine/trainer/detail/Strategies.h"
#include "infer/TinyCheckpoint.h"

#ifndef VWB_WITH_CUDA
#error "vwb-cuda-tests needs a build against a CUDA LibTorch (VWB_WITH_CUDA)"
#endif

using namespace vwb;

namespace {

struct Skip : std::runtime_error {
  using std::runtime_error::runtime_error;
};
void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}
// The slowest visible device's compute capability, as the planner takes it.
std::pair<int, int> computeCapability() {
  std::pair<int, int> worst{99, 9};
  for (int i = 0; i < int(torch::cuda::device_count()); ++i) {
    auto* p = at::cuda::getDeviceProperties(i);
    worst = std::min(worst, std::make_pair(int(p->major), int(p->minor)));
  }
  return worst;
}
void needCuda() {
  if (!torch::cuda::is_available()) throw Skip("no CUDA device visible to this process");
}

TrainConfig smallConfig(AmpMode amp) {
  TrainConfig c;
  c.model.levels = 3;
  c.model.baseChannels = 8;
  c.model.norm = NormKind::Instance;
  c.data.patch = 32;
  c.run.seed = 3;
  c.optimizer.lr = 1e-2;
  c.optimizer.gradClip = 1.0;
  c.run.amp = amp;
  return c;
}

GlobalBatch randomBatch(int64_t step, int64_t n, int64_t patch = 32) {
  auto gen = at::detail::createCPUGenerator(uint64_t(500 + step));
  GlobalBatch b;
  b.step = step;
  b.image = torch::randn({n, 1, patch, patch, patch}, gen);
  b.label = torch::randint(0, 3, {n, 1, patch, patch, patch}, gen, torch::kUInt8);
  return b;
}

std::unique_ptr<TrainStrategy> build(TrainConfig c, StrategyKind kind,
                                     std::vector<std::string> devices, int batchPerDevice) {
  c.distributed.strategy = kind;
  c.distributed.devices = std::move(devices);
  c.data.batchPerDevice = batchPerDevice;
  auto s = makeStrategy(c);
  StrategyContext ctx;
  ctx.config = c;
  s->setup(ctx);
  return s;
}

std::vector<torch::Tensor> snapshot(UNet3DImpl& m) {
  std::vector<torch::Tensor> out;
  for (auto& p : m.parameters()) out.push_back(p.detach().to(torch::kCPU).clone());
  return out;
}

// A few steps in the given precision: the precision is the one asked for, every loss is finite,
// the loss falls over repeated steps on one batch, and the weights move.
void trainSteps(AmpMode amp, const char* expected) {
  auto s = build(smallConfig(amp), StrategyKind::Single, {"cuda:0"}, 4);
  check(s->precisionName() == expected, "precision is " + s->precisionName() + ", not " + expected);
  auto before = snapshot(s->model());
  auto batch = randomBatch(0, 4);
  double first = 0, last = 0;
  int skipped = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = s->step(batch, 1e-2);
    check(std::isfinite(r.loss), "loss is not finite at step " + std::to_string(i));
    if (r.skipped) ++skipped;
    if (i == 0) first = r.loss;
    last = r.loss;
  }
  std::printf("    %s: loss %.4f -> %.4f over 8 steps on one batch, %d skipped (loss scaling)\n",
              expected, first, last, skipped);
  check(last < first, "loss did not fall on a repeated batch");
  auto after = snapshot(s->model());
  double moved = 0;
  for (size_t i = 0; i < after.size(); ++i)
    moved = std::max(moved, (after[i] - before[i]).abs().max().item<double>());
  check(moved > 1e-4, "weights did not move");
}

// Over the conv weights only (a conv bias before instance norm has no effect on the output).
double maxRelDiff(UNet3DImpl& a, UNet3DImpl& ref) {
  auto pa = snapshot(a), pr = snapshot(ref);
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    if (pa[i].dim() < 2) continue;
    double scale = pr[i].abs().max().item<double>() + 1e-12;
    worst = std::max(worst, (pa[i] - pr[i]).abs().max().item<double>() / scale);
  }
  return worst;
}

struct Check {
  const char* name;
  std::function<void()> run;
};

const std::vector<Check>& checks() {
  static const std::vector<Check> all = {
      {"TrainStepFp16Cuda",
       [] {
         needCuda();
         auto cc = computeCapability();
         if (!cudaFastFp16(cc.first, cc.second)) throw Skip("this GPU has no full-rate fp16");
         trainSteps(AmpMode::Fp16, "fp16");
       }},
      {"TrainStepBf16CudaSm80",
       [] {
         needCuda();
         if (computeCapability().first < 8) throw Skip("bf16 needs sm80 or newer");
         trainSteps(AmpMode::Bf16, "bf16");
       }},
      {"DdpNcclMatchesSingleCuda",
       [] {
         needCuda();
         // fp32 without TF32 and with deterministic cuDNN: the split over ranks then only
         // reorders fp32 sums (per-step relative differences ~1e-6). Bound: 1e-4 relative on the
         // conv weights after 3 AdamW steps (AdamW's normalised update turns tiny gradient
         // differences into up to lr-sized ones for weights whose gradient is near zero).
         at::globalContext().setAllowTF32CuDNN(false);
         at::globalContext().setAllowTF32CuBLAS(false);
         at::globalContext().setDeterministicCuDNN(true);
         const int n = int(torch::cuda::device_count()), b = 2;
         std::vector<std::string> devices;
         for (int i = 0; i < n; ++i) devices.push_back("cuda:" + std::to_string(i));
         auto single = build(smallConfig(AmpMode::Off), StrategyKind::Single, {"cuda:0"}, n * b);
         auto ddp = build(smallConfig(AmpMode::Off), StrategyKind::Ddp, devices, b);
         double singleLoss = 0, ddpLoss = 0;
         for (int s = 0; s < 3; ++s) {
           auto batch = randomBatch(s, n * b);
           singleLoss = single->step(batch, 1e-2).loss;
           ddpLoss = ddp->step(batch, 1e-2).loss;
         }
         double rel = maxRelDiff(ddp->model(), single->model());
         std::printf("    world size %d over NCCL: loss single %.7f ddp %.7f, conv weights rel diff %.3g\n",
                     n, singleLoss, ddpLoss, rel);
         at::globalContext().setDeterministicCuDNN(false);
         check(rel < 1e-4, "DDP weights differ from single device by " + std::to_string(rel));
         check(std::abs(ddpLoss - singleLoss) < 1e-4 * std::abs(singleLoss), "losses differ");
       }},
      {"OutOfMemoryFallbackCuda",
       [] {
         needCuda();
         // A real CUDA OOM: cap the caching allocator at a small share of the device, then ask
         // for a micro-batch that cannot fit. The step must succeed with a smaller micro-batch.
         releaseCachedMemory(torch::Device(torch::kCUDA, 0));
         auto total = probeDeviceMemory(torch::Device(torch::kCUDA, 0), "cuda:0").totalBytes;
         const double capBytes = 1.5e9;
         c10::cuda::CUDACachingAllocator::setMemoryFraction(capBytes / double(total), 0);
         TrainConfig c = smallConfig(AmpMode::Off);
         c.data.patch = 64;
         StepResult r;
         try {
           auto s = build(c, StrategyKind::Single, {"cuda:0"}, 32);
           r = s->step(randomBatch(0, 32, 64), 1e-2);
         } catch (...) {
           c10::cuda::CUDACachingAllocator::setMemoryFraction(1.0, 0);
           throw;
         }
         c10::cuda::CUDACachingAllocator::setMemoryFraction(1.0, 0);
         releaseCachedMemory(torch::Device(torch::kCUDA, 0));
         std::printf("    allocator capped at %.1f GB: micro-batch 32 -> %lld, loss %.4f\n",
                     capBytes / 1e9, (long long)r.microBatch, r.loss);
         check(r.microBatch < 32 && r.microBatch >= 1, "no fallback to a smaller micro-batch");
         check(std::isfinite(r.loss), "loss is not finite after the fallback");
       }},
      {"AllocatorTelemetryCuda",
       [] {
         needCuda();
         torch::Device dev(torch::kCUDA, 0);
         auto s = build(smallConfig(AmpMode::Off), StrategyKind::Single, {"cuda:0"}, 2);
         resetPeakMemory(dev);
         s->step(randomBatch(0, 2), 1e-2);
         auto m = probeDeviceMemory(dev, "cuda:0");
         std::printf("    allocated %.1f MiB, reserved %.1f MiB, peak %.1f MiB, free %.1f of %.1f GiB\n",
                     m.allocatedBytes / 1048576.0, m.reservedBytes / 1048576.0, m.peakBytes / 1048576.0,
                     m.freeBytes / 1073741824.0, m.totalBytes / 1073741824.0);
         check(m.allocatedBytes > 0, "allocated bytes are 0 with a model on the device");
         check(m.reservedBytes >= m.allocatedBytes, "reserved < allocated");
         check(m.peakBytes > m.allocatedBytes, "peak not above the resting allocation after a step");
         check(m.totalBytes > 0 && m.freeBytes > 0 && m.freeBytes <= m.totalBytes, "device totals");
       }},
      {"TrainThroughTheEngineDoorCuda",
       [] {
         // The call the workbench's worker thread makes (RealEngine::runTraining ->
         // vwb::runTraining(config, sink, cancel)) on every GPU, for each strategy the planner
         // offers there: where each step's time goes (data wait, gradient communication,
         // spread of the ranks) and each GPU's busy share from NVML, over the last 20 steps.
         needCuda();
         const int n = int(torch::cuda::device_count());
         const char* tmp = std::getenv("TMPDIR");
         const std::string root = std::string(tmp ? tmp : "/tmp") + "/vwb-cuda-door";
         SynthOptions o;
         o.train = 6;
         o.test = 1;
         o.size = {128, 128, 128};
         writeSyntheticDataset(root + "/data", o);
         struct Sink : TrainingSink {
           std::vector<StepEvent> steps;
           void onStep(const StepEvent& e) override { steps.push_back(e); }
         };
         std::vector<std::pair<StrategyKind, std::vector<std::string>>> runs{{StrategyKind::Single, {"cuda:0"}}};
         if (n > 1) {
           std::vector<std::string> all;
           for (int i = 0; i < n; ++i) all.push_back("cuda:" + std::to_string(i));
           runs.push_back({StrategyKind::Ddp, all});
           runs.push_back({StrategyKind::DataParallel, all});
         }
         for (const auto& [kind, devices] : runs) {
           TrainConfig c;
           c.run.dataDir = root + "/data";
           c.run.dir = root + "/run-" + strategyName(kind);
           std::filesystem::remove_all(c.run.dir);
           c.distributed.strategy = kind;
           c.distributed.devices = devices;
           c.data.patch = 64;
           c.data.batchPerDevice = 2;
           c.run.epochs = 1;
           c.run.stepsPerEpoch = 40;
           c.validation.fraction = 0.2;
           c.validation.crop = 64;
           c.data.workers = 3;
           Sink sink;
           CancelToken never;
           const RunEndEvent end = runTraining(c, sink, never);
           check(end.outcome == RunOutcome::Finished, std::string(strategyName(kind)) + ": " + end.message);
           check(sink.steps.size() == 40, "steps reported");
           double spt = 0, wait = 0, comm = 0, spread = 0;
           std::vector<double> busy(devices.size(), 0);
           int busySeen = 0;
           const size_t from = sink.steps.size() - 20;
           for (size_t i = from; i < sink.steps.size(); ++i) {
             const StepEvent& e = sink.steps[i];
             spt += e.secondsPerStep / 20;
             wait += e.dataWaitFraction / 20;
             comm += e.commWaitFraction / 20;
             spread += e.stepSpread / 20;
             for (size_t d = 0; d < e.memory.size() && d < busy.size(); ++d)
               if (e.memory[d].busy >= 0) {
                 busy[d] += e.memory[d].busy / 20;
                 ++busySeen;
               }
             check(std::isfinite(e.dataWaitFraction) && std::isfinite(e.commWaitFraction), "step shares");
           }
           std::printf("    %s on %zu GPU(s), patch 64, batch 2/device: %.3f s/step, %.1f samples/s, data wait %.1f %%, "
                       "communication %.1f %%, spread %.1f %%", strategyName(kind), devices.size(), spt,
                       sink.steps.back().samplesPerSec, 100 * wait, 100 * comm, 100 * spread);
           for (size_t d = 0; d < busy.size(); ++d)
             if (busySeen) std::printf(", %s busy %.0f %%", devices[d].c_str(), 100 * busy[d]);
           std::printf("%s\n", busySeen ? "" : " (no NVML: busy share not reported)");
         }
       }},
      {"PredictCuda",
       [] {
         needCuda();
         // One checkpoint predicted on CUDA and on the CPU: the same probabilities up to fp32
         // rounding (bound: 2 of 255 levels; cuDNN's conv algorithms sum in another order than
         // oneDNN's, and TF32 is off here).
         at::globalContext().setAllowTF32CuDNN(false);
         const char* tmp = std::getenv("TMPDIR");
         std::string path = std::string(tmp ? tmp : "/tmp") + "/vwb-cuda-tests-predict.pt";
         vwbtest::writeTinyCheckpoint(path, 32, 7);
         VolumeU8 image(Shape3{40, 48, 48});
         for (size_t i = 0; i < image.data.size(); ++i) image.data[i] = uint8_t((i * 37) % 251);
         PredictOptions gpu;
         gpu.devices = {"cuda:0"};
         gpu.amp = AmpMode::Off;  // fp32 against fp32 (PredictCudaAmp checks autocast)
         PredictOptions cpu;
         cpu.devices = {"cpu"};
         VolumeU8 a = Predictor(path, gpu).predict(image), b = Predictor(path, cpu).predict(image);
         int worst = 0;
         for (size_t i = 0; i < a.data.size(); ++i) worst = std::max(worst, std::abs(int(a.data[i]) - int(b.data[i])));
         std::printf("    %zu voxels: largest CUDA vs CPU difference %d/255\n", a.data.size(), worst);
         check(a.shape == image.shape, "prediction shape differs from the image");
         check(worst <= 2, "CUDA and CPU predictions differ by " + std::to_string(worst) + "/255");
       }},
      {"PredictCudaAmp",
       [] {
         needCuda();
         // --amp auto on a GPU with tensor cores: fp16 (T4, V100) or bf16 (sm80+) autocast for
         // the forward pass. The probabilities stay those of fp32 up to the half type's rounding
         // (fp16: 11-bit mantissa, bf16: 8; convolutions accumulate in fp32 and instance norm
         // runs in fp32 under autocast), bounded here at 12/255 worst and 1 level on average;
         // and it is faster: both timed on the same volume (printed, not asserted).
         at::globalContext().setAllowTF32CuDNN(false);
         const char* tmp = std::getenv("TMPDIR");
         std::string path = std::string(tmp ? tmp : "/tmp") + "/vwb-cuda-tests-predict-amp.pt";
         vwbtest::writeTinyCheckpoint(path, 64, 11);
         VolumeU8 image(Shape3{160, 160, 160});
         for (size_t i = 0; i < image.data.size(); ++i) image.data[i] = uint8_t((i * 37) % 251);
         PredictOptions fp32, amp;
         fp32.devices = amp.devices = {"cuda:0"};
         fp32.batch = amp.batch = 4;
         fp32.amp = AmpMode::Off;
         Predictor full(path, fp32), half(path, amp);
         std::printf("    %s\n", half.precisionNote().c_str());
         check(half.precisionNote().find("fp32") == std::string::npos || half.precisionNote().find("no tensor cores") != std::string::npos,
               "auto chose fp32 on a GPU with tensor cores: " + half.precisionNote());
         full.predict(image);  // cuDNN's algorithm search, once per shape
         half.predict(image);
         auto timed = [&](Predictor& p, VolumeU8* out) {
           torch::cuda::synchronize();
           const auto t0 = std::chrono::steady_clock::now();
           *out = p.predict(image);
           return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
         };
         VolumeU8 a, b;
         const double t32 = timed(full, &a), t16 = timed(half, &b);
         int worst = 0;
         double sum = 0;
         for (size_t i = 0; i < a.data.size(); ++i) {
           const int d = std::abs(int(a.data[i]) - int(b.data[i]));
           worst = std::max(worst, d);
           sum += d;
         }
         const double mean = sum / double(a.data.size());
         std::printf("    160^3, patch 64, overlap 0.5, batch 4: fp32 %.2f s, autocast %.2f s (%.2fx); "
                     "difference worst %d/255, mean %.3f\n", t32, t16, t32 / t16, worst, mean);
         check(worst <= 12 && mean <= 1.0, "autocast probabilities differ from fp32 by " + std::to_string(worst) +
                                               "/255 worst, " + std::to_string(mean) + " mean");
       }},
  };
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string filter = argc > 1 ? argv[1] : "";
  std::printf("vwb-cuda-tests: LibTorch %d.%d.%d, %d CUDA device(s)\n", TORCH_VERSION_MAJOR,
              TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, int(torch::cuda::device_count()));
  torch::set_num_threads(4);
  int failed = 0, passed = 0, skipped = 0;
  for (const auto& c : checks()) {
    if (!filter.empty() && std::string(c.name).find(filter) == std::string::npos) continue;
    try {
      c.run();
      std::printf("PASS %s\n", c.name);
      ++passed;
    } catch (const Skip& e) {
      std::printf("SKIP %s: %s\n", c.name, e.what());
      ++skipped;
    } catch (const std::exception& e) {
      std::printf("FAIL %s: %s\n", c.name, e.what());
      ++failed;
    }
    std::fflush(stdout);
  }
  std::printf("vwb-cuda-tests: %d passed, %d skipped, %d failed\n", passed, skipped, failed);
  return failed;
}

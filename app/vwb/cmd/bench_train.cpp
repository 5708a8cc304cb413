// vwb bench-train: samples/s of the real training step and the share of time spent waiting for
// data, on synthetic volumes held in memory (no run folder, nothing written).
#include <cmath>
#include <cstdio>

#include "CommandRegistry.h"
#include "engine/core/Reporting.h"
#include "engine/model/ModelPresets.h"
#include "engine/plan/MemoryEstimate.h"
#include "engine/train/SplitMix.h"
#include "engine/trainer/Trainer.h"

namespace {

// Sheets of papyrus-like intensity with a surface label; enough structure for realistic
// foreground sampling, and cheap to make.
vwb::TrainingVolume benchVolume(int64_t edge, uint64_t seed) {
  vwb::TrainingVolume v;
  v.id = "bench" + std::to_string(seed);
  v.scrollId = "1";
  v.image = vwb::VolumeU8({edge, edge, edge});
  v.label = vwb::VolumeU8({edge, edge, edge});
  vwb::SplitMix rng(seed);
  for (int64_t z = 0; z < edge; ++z)
    for (int64_t y = 0; y < edge; ++y)
      for (int64_t x = 0; x < edge; ++x) {
        double sheet = std::fmod(z + 6.0 * std::sin(0.05 * x + 0.03 * y), 16.0);
        bool on = sheet < 2.0;
        v.image.at(z, y, x) = static_cast<uint8_t>((on ? 170 : 60) + rng.below(40));
        v.label.at(z, y, x) = on ? 1 : 0;
      }
  return v;
}

void setup(CLI::App& cmd) {
  auto c = std::make_shared<vwb::TrainConfig>();
  auto steps = std::make_shared<int>(20);
  auto warmup = std::make_shared<int>(3);
  auto norm = std::make_shared<std::string>("instance");
  auto amp = std::make_shared<std::string>("auto");
  auto device = std::make_shared<std::string>("cpu");
  auto arch = std::make_shared<std::string>("unet");
  auto deepSupervision = std::make_shared<bool>(false);
  c->data.patch = 64;
  c->data.batchPerDevice = 2;
  c->run.threads = 2;
  c->data.workers = 2;
  cmd.add_option("--patch", c->data.patch, "Cubic patch edge")->capture_default_str();
  cmd.add_option("--batch", c->data.batchPerDevice, "Batch")->capture_default_str();
  cmd.add_option("--levels", c->model.levels, "U-Net levels")->capture_default_str();
  cmd.add_option("--base-channels", c->model.baseChannels, "Base channels")->capture_default_str();
  cmd.add_option("--norm", *norm, "instance|batch|group")->capture_default_str();
  cmd.add_option("--arch", *arch, "unet|resenc-m|resenc-l|resenc-xl")->capture_default_str();
  cmd.add_flag("--deep-supervision", *deepSupervision, "Losses at the decoder levels too");
  cmd.add_option("--threads", c->run.threads, "Intra-op threads")->capture_default_str();
  cmd.add_option("--workers", c->data.workers, "Batch-producing threads")->capture_default_str();
  cmd.add_option("--prefetch", c->data.prefetch, "Queue of ready batches")->capture_default_str();
  cmd.add_option("--amp", *amp, "auto|off|fp16|bf16")->capture_default_str();
  cmd.add_option("--device", *device, "cpu or cuda:N")->capture_default_str();
  cmd.add_option("--steps", *steps, "Timed steps")->capture_default_str();
  cmd.add_option("--warmup", *warmup, "Untimed steps first")->capture_default_str();
  cmd.callback([=] {
    c->model.norm = vwb::parseNorm(*norm);
    c->model.arch = vwb::parseArch(*arch);
    c->model.deepSupervision = *deepSupervision;
    c->model = vwb::modelForPatch(c->model, c->data.patch);
    c->run.amp = vwb::parseAmp(*amp);
    c->distributed.devices = {*device};
    c->validation.fraction = 0;
    std::vector<vwb::TrainingVolume> volumes;
    for (uint64_t i = 0; i < 2; ++i) volumes.push_back(benchVolume(std::max(128, c->data.patch * 2), i + 1));
    vwb::ConsoleSink log;
    auto b = vwb::benchmarkTraining(*c, volumes, *warmup, *steps, log);
    std::printf("device %s, %s, %d threads, %d workers, patch %d, batch %lld, base %d, %d levels, %s norm\n",
                b.device.c_str(), b.precision.c_str(), b.threads, c->data.workers, c->data.patch,
                static_cast<long long>(b.globalBatch), c->model.baseChannels, c->model.levels,
                norm->c_str());
    std::printf("samples/s: %.3f\n", b.samplesPerSec);
    std::printf("seconds/step: %.3f\n", b.secondsPerStep);
    std::printf("data wait share: %.2f%%\n", 100 * b.dataWaitFraction);
    std::printf("peak memory: %.1f MiB (process RSS on the CPU)\n",
                static_cast<double>(b.peakMemoryBytes) / (1 << 20));
    auto estimate = vwb::estimateTrainingMemory(c->model, c->data.patch, c->data.batchPerDevice,
                                                b.precision == "fp32" ? 4 : 2);
    std::printf("model: %s%s, %lld parameters, planner estimate %.1f MiB\n", arch->c_str(),
                *deepSupervision ? " + deep supervision" : "",
                static_cast<long long>(estimate.parameters),
                static_cast<double>(estimate.totalBytes()) / (1 << 20));
  });
}

}  // namespace

// Registered by hand: the command name has a hyphen.
static ::vwb::cli::CommandRegistrar vwbCommand_bench_train(
    "bench-train", 45, "Benchmark the training step: samples/s and data-wait share", setup);

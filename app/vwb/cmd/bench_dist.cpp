// vwb bench-dist: samples/s of the single-device, DataParallel and DDP strategies on the same
// model and random batches, with DDP's all-reduce time per step and the share hidden behind
// backward. Data loading is left out (see vwb bench-train for the pipeline).
#include <fmt/format.h>

#include <sstream>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/trainer/StrategyBench.h"

namespace {

struct BenchDistArgs {
  std::string strategies = "single,dp,ddp";
  std::string devices = "cpu:2";
  int patch = 32, batch = 2, levels = 3, baseChannels = 8, steps = 4, warmup = 1, threads = 0;
  double bucketMb = 25;
  std::string amp = "off";
};

void run(const BenchDistArgs& a) {
  fmt::print("{:<7} {:<18} {:>6} {:>8} {:>12} {:>10} {:>8} {:>14} {:>12} {:>8}\n", "strategy",
             "devices", "batch", "threads", "samples/s", "s/step", "buckets", "allreduce ms",
             "exposed ms", "overlap");
  std::stringstream list(a.strategies);
  std::string name;
  while (std::getline(list, name, ',')) {
    vwb::TrainConfig c;
    c.model.levels = a.levels;
    c.model.baseChannels = a.baseChannels;
    c.data.patch = a.patch;
    c.run.amp = vwb::parseAmp(a.amp);
    c.run.threads = a.threads;
    c.distributed.bucketMb = a.bucketMb;
    c.distributed.strategy = vwb::parseStrategy(name);
    c.distributed.devices.clear();
    std::stringstream names(a.devices);
    for (std::string d; std::getline(names, d, ',');) c.distributed.devices.push_back(d);
    int ranks = int(c.distributed.devices.size());
    if (a.devices.rfind("cpu:", 0) == 0) ranks = std::stoi(a.devices.substr(4));
    // Same global batch for every strategy: single runs ranks x batch on one device.
    c.data.batchPerDevice = a.batch;
    if (c.distributed.strategy == vwb::StrategyKind::Single) {
      c.distributed.devices = {a.devices.rfind("cpu", 0) == 0 ? std::string("cpu") : c.distributed.devices.front()};
      c.data.batchPerDevice = a.batch * ranks;
    }
    auto r = vwb::dist::benchStrategy(c, a.warmup, a.steps);
    std::string devices;
    for (const auto& d : r.devices) devices += (devices.empty() ? "" : ",") + d;
    if (!r.error.empty()) {
      fmt::print("{:<7} failed: {}\n", name, r.error);
      continue;
    }
    bool ddp = c.distributed.strategy == vwb::StrategyKind::Ddp;
    fmt::print("{:<7} {:<18} {:>6} {:>8} {:>12.3f} {:>10.3f} {:>8} {:>14} {:>12} {:>8}\n", name,
               devices, r.globalBatch, r.threads, r.samplesPerSec, r.secondsPerStep,
               ddp ? std::to_string(r.buckets) : "-",
               ddp ? fmt::format("{:.1f}", r.allreduceSecPerStep * 1e3) : "-",
               ddp ? fmt::format("{:.1f}", r.exposedSecPerStep * 1e3) : "-",
               ddp ? fmt::format("{:.0f}%", r.overlapFraction * 100) : "-");
  }
}

}  // namespace

// A hyphenated name cannot go through VWB_COMMAND (it pastes the name into an identifier).
static ::vwb::cli::CommandRegistrar vwbCommand_bench_dist(
    "bench-dist", 62, "Benchmark single / DataParallel / DDP strategies (samples/s, all-reduce)",
    [](CLI::App& cmd) {
  auto a = std::make_shared<BenchDistArgs>();
  cmd.add_option("--strategies", a->strategies, "Comma-separated: single,dp,ddp")->capture_default_str();
  cmd.add_option("--devices", a->devices, "cpu:N or cuda:0,cuda:1 ...")->capture_default_str();
  cmd.add_option("--patch", a->patch, "Patch edge")->capture_default_str();
  cmd.add_option("--batch", a->batch, "Per-device batch")->capture_default_str();
  cmd.add_option("--levels", a->levels, "UNet levels")->capture_default_str();
  cmd.add_option("--base-channels", a->baseChannels, "UNet base channels")->capture_default_str();
  cmd.add_option("--steps", a->steps, "Timed steps")->capture_default_str();
  cmd.add_option("--warmup", a->warmup, "Untimed steps first")->capture_default_str();
  cmd.add_option("--threads", a->threads, "Intra-op threads in total (0 = all cores)");
  cmd.add_option("--amp", a->amp, "off|bf16|fp16")->capture_default_str();
  cmd.add_option("--bucket-mb", a->bucketMb, "DDP gradient bucket cap (MB)")->capture_default_str();
  cmd.callback([a] { run(*a); });
});

// vwb plan: the decision tree applied to this machine (or an assumed one) and a dataset: strategy,
// devices, patch, batch, precision, workers, each with its reason. --probe confirms with real steps.
#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/core/Reporting.h"
#include "engine/plan/AutoConfig.h"
#include "engine/trainer/StrategyBench.h"

namespace {

struct PlanArgs {
  std::string data, assumeGpus, assumeRam, cache, master, strategy = "auto", amp = "auto", augment;
  std::vector<std::string> devices;
  int nodes = 1, levels = 4, baseChannels = 16, patch = 0, batch = 0;
  double margin = 0.15;
  bool json = false, probe = false, deepSupervision = false;
  std::string arch = "unet";
};

nlohmann::json benchJson(const vwb::dist::StrategyBenchResult& r) {
  return {{"strategy", r.strategy},         {"devices", r.devices},
          {"global_batch", r.globalBatch},  {"samples_per_s", r.samplesPerSec},
          {"out_of_memory", r.outOfMemory}, {"error", r.error}};
}

// "29GiB", "32GB", "16G", "16384MiB" -> bytes (GB and G read as GiB, as RAM sizes are meant).
int64_t parseRamSize(const std::string& text) {
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::string unit = text.substr(end);
  for (auto& ch : unit) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  double scale = unit == "gib" || unit == "gb" || unit == "g" ? double(1 << 30)
                 : unit == "mib" || unit == "mb" || unit == "m" ? double(1 << 20)
                 : unit == "tib" || unit == "tb" || unit == "t" ? double(int64_t(1) << 40)
                                                                  : 0;
  if (end == 0 || scale == 0 || !(value > 0))
    throw vwb::Error("--assume-ram '" + text + "': expected a size such as 29GiB, 32GB or 16384MiB");
  return int64_t(value * scale);
}

void run(const PlanArgs& a) {
  vwb::ConsoleSink console;
  vwb::HardwareInventory hw = a.assumeGpus.empty() ? vwb::detectHardware() : vwb::assumeGpus(a.assumeGpus);
  hw.nodes = a.nodes;
  if (!a.assumeRam.empty()) {
    hw.ramBytes = parseRamSize(a.assumeRam);
    hw.assumed = true;
  }
  if (a.probe && hw.assumed) throw vwb::Error("--probe runs real steps on this machine: drop --assume-gpus");
  const vwb::DatasetPlanFacts facts = vwb::readDatasetPlanFacts(a.data, a.cache, &console);
  if (!facts.dataset.report.ok())
    throw vwb::Error(a.data + ": the dataset has errors:\n" + facts.dataset.report.format());
  const vwb::DatasetFingerprint& fp = facts.fingerprint;

  vwb::UserConstraints uc;
  uc.strategy = vwb::parseStrategy(a.strategy);
  uc.amp = vwb::parseAmp(a.amp);
  if (!a.augment.empty()) uc.augment = vwb::parseAugmentPreset(a.augment);
  uc.devices = a.devices;
  uc.master = a.master;
  uc.model.levels = a.levels;
  uc.model.baseChannels = a.baseChannels;
  uc.model.arch = vwb::parseArch(a.arch);
  uc.model.deepSupervision = a.deepSupervision;
  uc.memorySafetyMargin = a.margin;
  if (a.patch > 0) uc.patch = a.patch;
  if (a.batch > 0) uc.batchPerDevice = a.batch;
  // The chunk cache's state and the free disk where it lives go into the constraints; a forced
  // choice is explained against the planner's own (what the wizard shows).
  vwb::Plan plan = vwb::planTraining(hw, fp, facts.cache, uc);

  nlohmann::json probe = nlohmann::json::array();
  if (a.probe) {
    auto bench = [&](vwb::TrainConfig c) {
      auto r = vwb::dist::benchStrategy(c, 1, 2);
      probe.push_back(benchJson(r));
      console.log(vwb::LogLevel::Info,
                  r.error.empty()
                      ? fmt::format("probe: {} on {} device(s), global batch {}: {:.2f} samples/s",
                                    r.strategy, r.devices.size(), r.globalBatch, r.samplesPerSec)
                      : fmt::format("probe: {} global batch {}: {}", r.strategy, r.globalBatch,
                                    r.outOfMemory ? "out of memory" : r.error));
      return r;
    };
    // CPU only, strategy not forced: does splitting the cores into ranks beat one process?
    bool autoStrategy = uc.strategy.value_or(vwb::StrategyKind::Auto) == vwb::StrategyKind::Auto;
    if (hw.gpus.empty() && autoStrategy &&
        a.devices.empty()) {
      vwb::TrainConfig single = plan.config;
      single.distributed.strategy = vwb::StrategyKind::Single;
      single.distributed.devices = {"cpu"};
      single.data.batchPerDevice = plan.config.data.batchPerDevice * uc.cpuRanks;
      vwb::TrainConfig ranks = plan.config;
      ranks.distributed.strategy = vwb::StrategyKind::Ddp;
      ranks.distributed.devices = {fmt::format("cpu:{}", uc.cpuRanks)};
      auto s = bench(single), d = bench(ranks);
      if (s.samplesPerSec > 0 && d.samplesPerSec > 0) {
        uc.measuredCpuRanksSpeedup = d.samplesPerSec / s.samplesPerSec;
        plan = vwb::planTraining(hw, fp, facts.cache, uc);
      }
    }
    // The planned batch and the next larger: the largest that fits and the faster of the two.
    for (int b : {plan.config.data.batchPerDevice, plan.config.data.batchPerDevice * 2}) {
      vwb::TrainConfig c = plan.config;
      c.data.batchPerDevice = b;
      if (c.distributed.strategy == vwb::StrategyKind::Auto) c.distributed.strategy = vwb::StrategyKind::Single;
      bench(c);
    }
  }
  if (a.json) {
    auto j = nlohmann::json::parse(plan.toJson());
    if (a.probe) j["probe"] = probe;
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}", plan.toText());
  }
}

}  // namespace

VWB_COMMAND(plan, 25, "Plan training for this machine (or --assume-gpus) and a dataset, with reasons",
            [](CLI::App& cmd) {
  auto a = std::make_shared<PlanArgs>();
  cmd.add_option("--data", a->data, "Dataset folder (competition layout)")->required();
  cmd.add_flag("--json", a->json, "Print the plan as JSON (what the wizard reads)");
  cmd.add_option("--assume-gpus", a->assumeGpus,
                 "Plan for hardware you do not have: 2x16GB, 8x80GB:sm80, 2xT4, 0");
  cmd.add_option("--assume-ram", a->assumeRam, "Plan for this much RAM per machine, e.g. 29GiB (Kaggle 2xT4)");
  cmd.add_option("--cache", a->cache, "Preprocessed chunk cache folder (default DATA/.vwb/cache)");
  cmd.add_option("--nodes", a->nodes, "Machines taking part (DDP over TCPStore)")->capture_default_str();
  cmd.add_option("--master", a->master, "HOST:PORT of node 0's rendezvous store (several nodes)");
  cmd.add_option("--strategy", a->strategy, "auto|single|dp|ddp")->capture_default_str();
  cmd.add_option("--devices", a->devices, "Force devices: cpu, cpu:N or cuda:I ...");
  cmd.add_option("--patch", a->patch, "Force the patch edge");
  cmd.add_option("--batch", a->batch, "Force the per-device batch");
  cmd.add_option("--levels", a->levels, "UNet levels")->capture_default_str();
  cmd.add_option("--base-channels", a->baseChannels, "UNet base channels")->capture_default_str();
  cmd.add_option("--arch", a->arch, "unet|resenc-m|resenc-l|resenc-xl (ResEnc: stages follow the patch)")
      ->capture_default_str();
  cmd.add_flag("--deep-supervision", a->deepSupervision, "Losses at the decoder levels too");
  cmd.add_option("--amp", a->amp, "auto|off|fp16|bf16")->capture_default_str();
  cmd.add_option("--augment", a->augment, "none|light|nnunet|strong (default nnunet): sizes the loader threads");
  cmd.add_option("--margin", a->margin, "Share of device memory kept free")->capture_default_str();
  cmd.add_flag("--probe", a->probe,
               "Run a few real steps at candidate batch sizes (and CPU ranks vs one process)");
  cmd.callback([a] { run(*a); });
});

// vwb synth: write the synthetic dataset (the built-in default) in the competition layout.
#include <fmt/format.h>

#include <chrono>

#include "CommandRegistry.h"
#include "engine/core/Reporting.h"
#include "engine/data/SyntheticScrolls.h"

namespace {

struct SynthArgs {
  std::string out;
  vwb::SynthOptions options;
  std::string size = "128";
};

void run(const SynthArgs& a) {
  vwb::SynthOptions o = a.options;
  o.size = vwb::Shape3::parse(a.size);
  vwb::ConsoleSink console;
  auto start = std::chrono::steady_clock::now();
  vwb::writeSyntheticDataset(a.out, o, &console);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("wrote {} train + {} test volumes of {} (seed {}) to {} in {:.1f} s\n", o.train, o.test,
             o.size.str(), o.seed, a.out, seconds);
}

}  // namespace

VWB_COMMAND(synth, 10, "Write a synthetic scroll dataset in the competition layout", [](CLI::App& cmd) {
  auto args = std::make_shared<SynthArgs>();
  cmd.add_option("--out", args->out, "Output folder (created)")->required();
  cmd.add_option("--train", args->options.train, "Training volumes (with labels)")->capture_default_str();
  cmd.add_option("--test", args->options.test, "Test volumes")->capture_default_str();
  cmd.add_option("--size", args->size, "Volume size: D (cube) or DxHxW")->capture_default_str();
  cmd.add_option("--seed", args->options.seed, "Random seed; the same seed gives the same data")
      ->capture_default_str();
  cmd.add_option("--scrolls", args->options.scrolls, "Distinct scroll ids")->capture_default_str();
  cmd.callback([args] { run(*args); });
});

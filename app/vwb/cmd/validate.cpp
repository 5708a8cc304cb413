// vwb validate: the full sliding-window validation of a run's checkpoint on its held-out volumes
// (what a run's end writes for its final model), on request: RUN/validation/NAME.json.
#include <cstdio>

#include "CommandRegistry.h"
#include "cmd/TrainConsole.h"
#include "engine/trainer/Trainer.h"

namespace {

struct ValidateArgs {
  std::string run, checkpoint = "best";
  bool json = false;
};

void setup(CLI::App& cmd) {
  auto a = std::make_shared<ValidateArgs>();
  cmd.add_option("--run", a->run, "Run folder (config.json, checkpoints/)")->required();
  cmd.add_option("--checkpoint", a->checkpoint, "best (default), last or ema");
  cmd.add_flag("--json", a->json, "Print the record (RUN/validation/NAME.json) instead of a line");
  cmd.callback([a] {
    vwb::CancelToken cancel;
    vwb::cli::InterruptToCancel interrupt(cancel);
    vwb::ConsoleSink console;
    const vwb::FullValidationRecord r = vwb::validateRun(a->run, a->checkpoint, console, &console, cancel);
    if (a->json) {
      std::printf("%s\n", r.toJson().c_str());
    } else {
      std::printf("%s.pt (step %lld): Dice %.4f, loss %.4f over %zu held-out volume(s), %lld tiles in %.1f s\n",
                  r.checkpoint.c_str(), static_cast<long long>(r.step), r.dice, r.loss, r.volumes.size(),
                  static_cast<long long>(r.tiles), r.seconds);
    }
  });
}

}  // namespace

VWB_COMMAND(validate, 45, "Full sliding-window validation of a run's checkpoint on its held-out volumes", setup);

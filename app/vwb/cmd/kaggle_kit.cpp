// vwb kaggle-kit: a run's model(s), settings and post-processing, with the engine sources and a
// notebook, as one folder to upload as a Kaggle dataset (engine/kit/KaggleKit.h).
#include <cstdio>

#include "CommandRegistry.h"
#include "engine/kit/KaggleKit.h"

// Registered by hand: the VWB_COMMAND macro cannot spell a name with a dash.
static vwb::cli::CommandRegistrar kaggleKitCommand(
    "kaggle-kit", 75, "Write a Kaggle dataset folder that predicts the hidden test set in an offline notebook",
    [](CLI::App& cmd) {
  auto r = std::make_shared<vwb::KaggleKitRequest>();
  auto tta = std::make_shared<std::string>(), average = std::make_shared<std::string>();
  auto overlap = std::make_shared<double>(-1);
  cmd.add_option("--run", r->runDir, "the trained run (its checkpoint, predictions.json, postprocess.json)")->required();
  cmd.add_option("--checkpoint", r->checkpoints, "checkpoint(s) to use; several = an ensemble (default RUN/checkpoints/best.pt)");
  cmd.add_option("--weights", r->weights, "ensemble weights, one per checkpoint (normalized; default equal)");
  cmd.add_option("--preset", r->preset, "post-processing preset (default: the run's RUN/predictions/postprocess.json)");
  cmd.add_option("--tta", *tta, "none | flips | full (default: what made the run's predictions, else none)")
      ->check(CLI::IsMember({"none", "flips", "full"}));
  cmd.add_option("--tta-average", *average, "probability | logit (default: the run's, else probability)")
      ->check(CLI::IsMember({"probability", "logit"}));
  cmd.add_option("--overlap", *overlap, "window overlap in [0, 1) (default: the run's, else 0.5)")->check(CLI::Range(0.0, 0.99));
  cmd.add_option("--hidden-volumes", r->hiddenVolumes,
                 "hidden test volumes the time estimate assumes (320^3 each; not published)")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  cmd.add_option("--train-config", r->trainConfig,
                 "settings for the kit's training notebook, in RUN/config.json's format (default: the run's config.json)");
  cmd.add_option("--out", r->out, "the kit folder (new, empty, or an earlier kit: replaced whole)")->required();
  cmd.callback([r, tta, average, overlap] {
    if (!tta->empty()) r->tta = *tta;
    if (!average->empty()) r->ttaAverage = *average;
    if (*overlap >= 0) r->overlap = *overlap;
    const vwb::KaggleKitPlan plan = vwb::planKaggleKit(*r);
    for (size_t i = 0; i < plan.models.size(); ++i)
      std::fprintf(stderr, "model %zu: %s (%s, patch %lld, weight %.3f, %.1f GFLOP per patch)\n", i + 1,
                   plan.models[i].source.c_str(), plan.models[i].arch.c_str(), static_cast<long long>(plan.models[i].patch),
                   plan.models[i].weight, plan.models[i].forwardFlops / 1e9);
    std::fprintf(stderr, "inference: TTA %s (%s), overlap %.2f (from %s)\npost-processing from %s\n", plan.tta.c_str(),
                 plan.ttaAverage.c_str(), plan.overlap, plan.settingsSource.c_str(), plan.postSource.c_str());
    for (const auto& e : plan.estimates) std::fprintf(stderr, "estimate %s\n", e.text().c_str());
    // Said before anything is written.
    for (const auto& w : plan.warnings) std::fprintf(stderr, "[warn] %s\n", w.c_str());
    const int64_t bytes = vwb::writeKaggleKit(*r, plan);
    std::fprintf(stderr, "training notebook: settings from %s\n", plan.trainConfigSource.c_str());
    std::printf("wrote the Kaggle kit %s (%.1f MB): upload it as a dataset and run its %s (or %s to train)\n",
                r->out.c_str(), double(bytes) / 1e6, vwb::kKaggleKitNotebook, vwb::kKaggleKitTrainNotebook);
  });
});

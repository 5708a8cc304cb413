// vwb tune: search threshold and post-processing on validation probabilities for the best mean
// competition score; writes a preset JSON that vwb postprocess / predict read with --preset.
#include <cstdio>
#include <filesystem>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/core/Reporting.h"
#include "engine/export/SubmissionIds.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/infer/PostProcessTuner.h"
#include "engine/io/TiffVolume.h"
#include "cmd/TrainConsole.h"

namespace {
struct TuneArgs {
  std::string prob, labels, out;
};
}  // namespace

VWB_COMMAND(tune, 57, "Tune threshold and post-processing on validation probabilities (writes a preset)", [](CLI::App& cmd) {
  auto a = std::make_shared<TuneArgs>();
  cmd.add_option("--prob", a->prob, "folder of <id>.tif probabilities (vwb predict's OUT/prob)")->required();
  cmd.add_option("--labels", a->labels, "folder of <id>.tif labels (0/1/2) for the same ids")->required();
  cmd.add_option("--out", a->out, "preset JSON to write (for --preset)")->required();
  cmd.callback([a] {
    namespace fs = std::filesystem;
    std::vector<vwb::TuneCase> cases;
    for (const auto& id : vwb::listTifIds(a->prob)) {
      fs::path label = fs::path(a->labels) / (id + ".tif");
      if (!fs::exists(label)) continue;
      vwb::TuneCase c;
      c.id = id;
      c.probability255 = vwb::readVolumeU8((fs::path(a->prob) / (id + ".tif")).string());
      c.label = vwb::readVolumeU8(label.string());
      if (!(c.label.shape == c.probability255.shape))
        throw vwb::fileError(label.string(), "shape differs from its probability volume");
      cases.push_back(std::move(c));
    }
    if (cases.empty()) throw vwb::fileError(a->prob, "no probability volume has a label in " + a->labels);
    vwb::CancelToken cancel;
    vwb::cli::InterruptToCancel interrupt(cancel);
    vwb::ConsoleSink console;
    auto r = vwb::tunePostProcessing(cases, vwb::TuneGrid{}, &console, &cancel);
    vwb::writePostProcessFile(a->out, r.best);
    std::printf("%zu volume(s), %d settings scored%s\nscore at threshold 0.5: %.4f\ntuned: %.4f "
                "(%+.4f)\nwrote %s\n",
                cases.size(), r.evaluations, cancel.cancelled() ? " (cancelled: best so far)" : "",
                r.baselineScore, r.bestScore, r.bestScore - r.baselineScore, a->out.c_str());
    if (cancel.cancelled()) throw vwb::cli::ExitCode{130};
  });
});

// vwb export: a checked submission.zip from a folder of <id>.tif masks.
#include <csignal>
#include <cstdio>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/core/Reporting.h"
#include "engine/export/PredictionFolder.h"
#include "engine/export/SubmissionWriter.h"

namespace {
struct ExportArgs {
  std::string pred, images, csv, out;
};
}  // namespace

VWB_COMMAND(export, 70, "Write a validated submission.zip from predicted masks", [](CLI::App& cmd) {
  auto a = std::make_shared<ExportArgs>();
  cmd.add_option("--pred", a->pred, "folder of <id>.tif uint8 0/1 masks")->required();
  cmd.add_option("--images", a->images, "the test_images folder (shapes to match)")->required();
  cmd.add_option("--csv", a->csv, "test.csv listing the ids (default: every .tif in --images)");
  cmd.add_option("--out", a->out, "the zip to write")->required();
  cmd.callback([a] {
    // A file-size limit (ulimit -f) then fails a write instead of killing vwb mid-file, so the
    // temporary pieces are still cleaned up.
    std::signal(SIGXFSZ, SIG_IGN);
    vwb::SubmissionCheck check = vwb::checkSubmission(a->pred, a->images, a->csv);
    // The masks must be the ones one run of vwb predict wrote (its manifest lists them).
    bool hasManifest = false;
    for (auto& p : vwb::checkPredictionFolder(a->pred, hasManifest)) check.problems.push_back(p);
    vwb::ConsoleSink console;
    if (!hasManifest)
      console.log(vwb::LogLevel::Warning, a->pred + " has no " + vwb::kPredictionManifestName +
                                              " (not written by vwb predict, or by an older one): which "
                                              "model made each mask cannot be checked");
    if (!check.ok()) {
      std::string text = std::to_string(check.problems.size()) + " problem(s), no zip written:";
      for (const std::string& p : check.problems) text += "\n  - " + p;
      throw vwb::Error(text);
    }
    const int64_t bytes = vwb::writeSubmission(check, a->out, &console);
    std::printf("wrote %s: %zu volumes, %lld bytes, verified\n", a->out.c_str(), check.entries.size(),
                static_cast<long long>(bytes));
  });
});

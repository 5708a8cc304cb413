// vwb: everything the workbench does, headless.
#include <algorithm>
#include <cstdio>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/train/BuildInfo.h"

int main(int argc, char** argv) {
  CLI::App app{"vwb - Vesuvius Workbench command line: synthetic data, dataset checks, planning,\n"
               "training on one or many devices, prediction, scoring and submission export."};
  // What the binary was built with (LibTorch, CUDA, NCCL, oneDNN ISA): the first thing to ask
  // when a GPU path is missing or a CPU run is slow.
  app.set_version_flag("--version", [] { return "vwb 0.1.0\n" + vwb::buildInfo().summary(); });
  app.require_subcommand(1);

  auto& specs = vwb::cli::commands();
  std::sort(specs.begin(), specs.end(),
            [](const auto& a, const auto& b) { return a.order < b.order; });
  for (auto& spec : specs) spec.setup(*app.add_subcommand(spec.name, spec.description));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const vwb::cli::ExitCode& e) {
    return e.code;
  } catch (const vwb::Cancelled&) {
    std::fprintf(stderr, "vwb: cancelled\n");
    return 130;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vwb: error: %s\n", e.what());
    return 1;
  }
  return 0;
}

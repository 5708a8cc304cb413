// vwb preprocess: decode every volume of a dataset once into the chunk cache (incremental).
#include <fmt/format.h>

#include <thread>

#include "CommandRegistry.h"
#include "cmd/TrainConsole.h"
#include "engine/core/Reporting.h"
#include "engine/data/Dataset.h"
#include "engine/data/DatasetPreprocessing.h"

namespace {

struct PreprocessArgs {
  std::string data, cache;
  int jobs = 0;
  bool verify = false;
};

void run(const PreprocessArgs& a) {
  vwb::ConsoleSink console;
  vwb::CancelToken cancel;
  vwb::cli::InterruptToCancel interrupt(cancel);
  vwb::Dataset ds = vwb::scanDataset(a.data, false, &console, &cancel);
  std::string dir;
  auto r = vwb::preprocessDataset(ds, a.cache, true, a.jobs, &console, &console, &cancel, &dir);
  int jobs = a.jobs > 0 ? a.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
  fmt::print("cache:    {}\n", dir);
  fmt::print("volumes:  {} ({} up to date, {} preprocessed in {:.1f} s on {} jobs, {:.1f} MiB written)\n", r.volumes,
             r.reused, r.processed, r.seconds, jobs, double(r.bytesWritten) / (1 << 20));
  if (a.verify) {
    // Damaged chunks are rebuilt from the TIFFs, then checked again: what --verify finds, it mends.
    vwb::store::DatasetCache cache(dir);
    const auto specs = vwb::cacheSpecs(ds, true);
    std::vector<size_t> volumes;
    auto damaged = cache.verify(specs, &console, &cancel, &volumes);
    fmt::print("verified: every chunk decoded, {} damaged in {} volume(s)\n", damaged.size(), volumes.size());
    if (!volumes.empty()) {
      for (auto& d : damaged) console.log(vwb::LogLevel::Warning, "damaged: " + d);
      std::vector<vwb::store::CacheVolumeSpec> redo;
      for (size_t i : volumes) redo.push_back(specs[i]);
      vwb::store::PreprocessOptions options;
      options.jobs = a.jobs;
      auto again = cache.rebuild(redo, options, &console, &cancel);
      for (const auto& p : again.environmentProblems) ds.report.errors.push_back(p);
      auto still = cache.verify(redo, &console, &cancel);
      for (auto& d : still) ds.report.errors.push_back(d);
      fmt::print("repaired: {} volume(s) rebuilt from their TIFFs, {} damaged chunk(s) left\n", redo.size(),
                 still.size());
    }
  }
  fmt::print("{}", ds.report.format());
  if (!ds.report.ok()) throw vwb::cli::ExitCode{1};
}

}  // namespace

VWB_COMMAND(preprocess, 15, "Decode every volume once into the chunk cache training reads (incremental)", [](CLI::App& cmd) {
  auto a = std::make_shared<PreprocessArgs>();
  cmd.add_option("--data", a->data, "Dataset folder (competition layout)")->required();
  cmd.add_option("--cache", a->cache, "Cache folder (default DATA/.vwb/cache; a user cache folder when DATA is read-only)");
  cmd.add_option("--jobs", a->jobs, "Volumes preprocessed in parallel (0 = one more than the cores: each worker also waits on its writes)");
  cmd.add_flag("--verify", a->verify,
               "Afterwards decode every cached chunk; volumes with a damaged chunk are rebuilt from their TIFFs");
  cmd.callback([a] { run(*a); });
});

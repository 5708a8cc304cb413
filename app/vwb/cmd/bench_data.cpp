// vwb bench-data: the out-of-core data pipeline on a real-sized dataset: preprocessing next to
// one plain TIFF decoding pass (both on all cores), and augmented patches per loader thread read
// through the chunk cache. A benchmark that prints numbers, not a test (shared machines are noisy).
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/Dataset.h"
#include "engine/data/DatasetCache.h"
#include "engine/io/TiffVolume.h"
#include "engine/train/PatchSampler.h"
#include "engine/trainer/Trainer.h"

namespace fs = std::filesystem;

namespace {

struct BenchDataArgs {
  std::string data, cache;
  int jobs = 0, patches = 60, decodeVolumes = 0;
  int64_t chunkCacheMb = 0;
  bool rebuild = false;
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

void run(const BenchDataArgs& a) {
  vwb::ConsoleSink console;
  const int jobs = a.jobs > 0 ? a.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
  vwb::Dataset ds = vwb::scanDataset(a.data, false, &console);
  if (!ds.report.ok()) throw vwb::Error(a.data + ": the dataset has errors:\n" + ds.report.format());
  std::vector<const vwb::VolumeEntry*> labelled;
  int64_t voxels = 0;
  for (auto& e : ds.train)
    if (!e.labelPath.empty()) labelled.push_back(&e), voxels += e.shape.voxels();
  if (labelled.empty()) throw vwb::Error(a.data + ": no labelled training volume");
  const double decodedGiB = double(voxels) * 2 / double(1 << 30);
  fmt::print("dataset: {} labelled volumes, {:.1f} GiB decoded (image + label); decode on {} threads, "
             "preprocessing on {} (its default: one more than cores, as its workers wait on writes); "
             "shared machine: figures are noisy\n", labelled.size(), decodedGiB, jobs, a.jobs > 0 ? a.jobs : vwb::store::defaultPreprocessJobs());

  // 1. One plain decoding pass (what any reader must do once), on all cores.
  size_t n = a.decodeVolumes > 0 ? std::min<size_t>(size_t(a.decodeVolumes), labelled.size()) : labelled.size();
  std::atomic<size_t> next{0};
  double t0 = now(), c0 = cpuNow();
  std::vector<std::thread> pool;
  for (int t = 0; t < jobs; ++t)
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < n;) {
        vwb::readVolumeU8(labelled[i]->imagePath);
        vwb::readVolumeU8(labelled[i]->labelPath);
      }
    });
  for (auto& t : pool) t.join();
  const double decodeWall = (now() - t0) * double(labelled.size()) / double(n), decodeCpu = cpuNow() - c0;
  fmt::print("plain TIFF decode:   {:.1f} s wall{} ({:.0f} MiB/s decoded, {:.1f} s CPU for {} volumes)\n", decodeWall,
             n < labelled.size() ? " (extrapolated)" : "", decodedGiB * 1024 / decodeWall, decodeCpu, n);

  // 2. Preprocessing into the chunk cache (incremental: --rebuild starts from an empty cache).
  vwb::store::CacheLocation where = vwb::store::locateCache(ds.root, a.cache);
  if (a.rebuild) fs::remove_all(fs::path(where.dir) / ("v" + std::to_string(vwb::store::kCacheFormatVersion)));
  t0 = now(), c0 = cpuNow();
  auto r = vwb::preprocessDataset(ds, a.cache, false, a.jobs, &console, &console, nullptr);
  const double preWall = now() - t0, preCpu = cpuNow() - c0;
  int64_t disk = 0;
  for (auto& e : fs::recursive_directory_iterator(where.dir))
    if (e.is_regular_file()) disk += int64_t(e.file_size());
  fmt::print("preprocessing:       {:.1f} s wall, {:.1f} s CPU ({} volumes preprocessed, {} up to date) = {:.2f}x "
             "one decode pass{}\n", preWall, preCpu, r.processed, r.reused, preWall / decodeWall,
             r.processed == 0 ? " (warm cache: nothing to do; --rebuild to measure)" : "");
  fmt::print("cache on disk:       {:.2f} GiB in {} ({:.2f} bytes per decoded voxel)\n", double(disk) / double(1 << 30),
             where.dir, double(disk) / double(voxels));

  // 3. Augmented patches per loader thread, through the decoded-chunk cache.
  vwb::TrainConfig c;
  c.dataDir = ds.root;
  c.cacheDir = a.cache;
  c.chunkCacheMb = int(a.chunkCacheMb);
  vwb::NullLogSink quiet;
  auto source = vwb::openTrainingSource(c, quiet);
  std::vector<int> all;
  for (int i = 0; i < int(source->volumes().size()); ++i) all.push_back(i);
  vwb::Normalization norm;
  for (int patch : {128, 192}) {
    vwb::PatchSampler sampler(*source, all, norm, patch, 0.33);
    std::vector<float> image(size_t(sampler.patchVoxels()));
    std::vector<uint8_t> label(image.size());
    for (int pass = 0; pass < 2; ++pass) {  // cold chunk cache (page cache warm), then warm
      t0 = now();
      for (int k = 0; k < a.patches; ++k) sampler.sample(uint64_t(k) * 7919 + uint64_t(patch), image.data(), label.data());
      double s = now() - t0;
      fmt::print("patches {}^3 {}:  {:.1f} augmented patches/s on one thread ({} patches)\n", patch,
                 pass ? "warm" : "cold", a.patches / s, a.patches);
    }
  }
  fmt::print("chunk cache:         budget {} MiB, peak {} MiB\n", source->cacheBudgetBytes() >> 20,
             source->cachePeakBytes() >> 20);
}

}  // namespace

static vwb::cli::CommandRegistrar benchDataCommand("bench-data", 93, "Benchmark the data pipeline: preprocessing vs one decode pass, patches/s per loader thread", [](CLI::App& cmd) {
  auto a = std::make_shared<BenchDataArgs>();
  cmd.add_option("--data", a->data, "Dataset folder (competition layout)")->required();
  cmd.add_option("--cache", a->cache, "Cache folder (default DATA/.vwb/cache)");
  cmd.add_option("--jobs", a->jobs, "Threads for the decode pass and preprocessing (0 = every core; preprocessing one more)");
  cmd.add_option("--patches", a->patches, "Patches per throughput measurement")->capture_default_str();
  cmd.add_option("--decode-volumes", a->decodeVolumes, "Time the plain decode on this many volumes and extrapolate (0 = all)");
  cmd.add_option("--chunk-cache-mb", a->chunkCacheMb, "Decoded-chunk cache budget (0 = default)");
  cmd.add_flag("--rebuild", a->rebuild, "Empty the cache first, so preprocessing is measured");
  cmd.callback([a] { run(*a); });
});

// vwb bench-data: the out-of-core data pipeline on a real-sized dataset: preprocessing next to
// one plain TIFF decoding pass (both on all cores), and augmented patches per loader thread read
// through the chunk cache, per augmentation preset and per transform, in wall time and in the
// loader thread's own CPU time. A benchmark that prints numbers, not a test (shared machines are
// noisy: the CPU figures are the steadier ones).
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <filesystem>
#include <thread>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/Dataset.h"
#include "engine/data/DatasetPreprocessing.h"
#include "engine/io/TiffVolume.h"
#include "engine/train/Augment.h"
#include "engine/train/PatchSampler.h"
#include "engine/train/SplitMix.h"
#include "engine/trainer/Trainer.h"

namespace fs = std::filesystem;

namespace {

struct BenchDataArgs {
  std::string data, cache;
  int jobs = 0, patches = 60, decodeVolumes = 0;
  int64_t chunkCacheMb = 0;
  bool rebuild = false, patchesOnly = false;
  std::vector<int> sizes{128, 192};
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}
double threadCpuNow() {  // this thread's CPU time: what one loader thread costs, whatever else runs
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// CPU milliseconds of one application of each transform at edge P (averaged over draws of its
// parameters), next to how often the nnunet preset applies it: what each costs per patch.
void benchTransforms(const vwb::TrainingSource& source, const vwb::Normalization& norm, int64_t P, int reps) {
  const vwb::ChainOptions o = vwb::augmentOptions(vwb::AugmentPreset::Strong).chainOptions;
  const vwb::Dims out{P, P, P};
  const auto table = norm.tableU8();
  const vwb::SourceVolume& volume = source.volumes()[0];
  const vwb::Dims shape{volume.shape.d, volume.shape.h, volume.shape.w};
  std::vector<float> image(size_t(out.voxels()));
  std::vector<uint8_t> label(image.size()), boxImage, boxLabel;
  vwb::SplitMix rng(P);
  auto centre = [&](int a) { return double(std::max<int64_t>(P, a == 0 ? shape.d : a == 1 ? shape.h : shape.w)) / 2; };
  struct Row {
    const char* name;
    double probability;
    std::function<void(int)> run;
  };
  auto readBox = [&](const int64_t corner[3], vwb::Dims box) {
    boxImage.resize(size_t(box.voxels()));
    boxLabel.resize(size_t(box.voxels()));
    source.read(0, corner[0], corner[1], corner[2], box.d, box.h, box.w, boxImage.data(), boxLabel.data());
    vwb::markOutside(boxLabel.data(), box, corner, shape);
  };
  auto spatial = [&](bool rotate, bool scale, bool elastic) {
    return [&, rotate, scale, elastic](int) {
      float angles[3] = {0, 0, 0};
      if (rotate)
        for (float& a : angles) a = float(rng.uniform(-o.maxRotationDegrees, o.maxRotationDegrees) * 3.14159265358979 / 180);
      const float s = scale ? float(rng.uniform(o.scaleMin, o.scaleMax)) : 1.0f;
      const float e = elastic ? float(rng.uniform(0.2, 1.0) * o.elasticMagnitude * double(P)) : 0.0f;
      const bool mirror[3] = {false, true, false};
      vwb::AffineMap map = vwb::patchAffine(angles, s, mirror);
      const double c[3] = {centre(0), centre(1), centre(2)};
      int64_t corner[3];
      vwb::Dims box;
      vwb::boxFor(map, c, P, e, corner, box);
      readBox(corner, box);
      vwb::resamplePatch(boxImage.data(), boxLabel.data(), box, table.data(), map, out, image.data(), label.data(),
                         vwb::LabelResampling::OneHotLinear, e, rng.next());
    };
  };
  const double pRotate = o.rotationProbability * (1 - o.scalingProbability),
               pScale = o.scalingProbability * (1 - o.rotationProbability),
               pBoth = o.rotationProbability * o.scalingProbability;
  std::vector<Row> rows = {
      {"read + gather, mirrored (no resampling)", (1 - o.rotationProbability) * (1 - o.scalingProbability),
       [&](int) {
         const int64_t corner[3] = {int64_t(centre(0)) - P / 2, int64_t(centre(1)) - P / 2, int64_t(centre(2)) - P / 2};
         readBox(corner, out);
         const bool mirror[3] = {true, false, true};
         vwb::gatherPatch(boxImage.data(), boxLabel.data(), out, table.data(), mirror, image.data(), label.data());
       }},
      {"read + rotate (one-hot labels)", pRotate, spatial(true, false, false)},
      {"read + scale (one-hot labels)", pScale, spatial(false, true, false)},
      {"read + rotate and scale", pBoth, spatial(true, true, false)},
      {"read + elastic, rotate (strong)", 0, spatial(true, false, true)},
      {"Gaussian noise", o.noiseProbability,
       [&](int k) { vwb::addGaussianNoise(image.data(), out.voxels(), 0.05f, uint64_t(k)); }},
      {"Gaussian blur", o.blurProbability,
       [&](int) {
         const float s[3] = {float(rng.uniform(0.5, 1)), float(rng.uniform(0.5, 1)), float(rng.uniform(0.5, 1))};
         vwb::gaussianBlur(image.data(), out, s);
       }},
      {"brightness", o.brightnessProbability, [&](int) { vwb::multiplyBrightness(image.data(), out.voxels(), 1.01f); }},
      {"contrast", o.contrastProbability, [&](int) { vwb::adjustContrast(image.data(), out.voxels(), 1.01f); }},
      {"low resolution", o.lowResProbability,
       [&](int) { vwb::simulateLowResolution(image.data(), out, float(rng.uniform(0.5, 1))); }},
      {"gamma, inverted", o.invertedGammaProbability,
       [&](int) { vwb::gammaKeepStats(image.data(), out.voxels(), float(rng.uniform(0.7, 1.5)), true); }},
      {"gamma", o.gammaProbability,
       [&](int) { vwb::gammaKeepStats(image.data(), out.voxels(), float(rng.uniform(0.7, 1.5)), false); }},
      {"illumination (strong)", 0, [&](int k) { vwb::illuminate(image.data(), out, 0.2f, uint64_t(k)); }},
      {"blank boxes (strong)", 0, [&](int k) { vwb::blankBoxes(image.data(), out, 3, uint64_t(k)); }},
  };
  fmt::print("  per transform at {}^3 (CPU ms per application; x the nnunet preset's probability = ms per patch):\n", P);
  double total = 0;
  for (Row& r : rows) {
    r.run(0);  // warm: chunks decoded, buffers sized
    const double c0 = threadCpuNow();
    for (int k = 1; k <= reps; ++k) r.run(k);
    const double ms = (threadCpuNow() - c0) / reps * 1e3;
    total += ms * r.probability;
    if (r.probability > 0)
      fmt::print("    {:<42} {:7.2f} ms  x {:.3f} = {:6.2f} ms\n", r.name, ms, r.probability, ms * r.probability);
    else
      fmt::print("    {:<42} {:7.2f} ms  (strong only)\n", r.name, ms);
  }
  fmt::print("    {:<42} {:>30.2f} ms per nnunet patch = {:.1f} patches per CPU-second (mirroring: free, in the gather)\n",
             "sum", total, 1e3 / total);
}

void patchRates(const BenchDataArgs& a, const vwb::Dataset& ds) {
  double t0;
  // 3. Augmented patches per loader thread, through the decoded-chunk cache, per preset.
  vwb::TrainConfig c;
  c.run.dataDir = ds.root;
  c.data.cacheDir = a.cache;
  c.data.chunkCacheMb = int(a.chunkCacheMb);
  vwb::NullLogSink quiet;
  auto source = vwb::openTrainingSource(c, quiet);
  std::vector<int> all;
  for (int i = 0; i < int(source->volumes().size()); ++i) all.push_back(i);
  vwb::Normalization norm;
  for (int patch : a.sizes) {
    for (auto preset : {vwb::AugmentPreset::None, vwb::AugmentPreset::Light, vwb::AugmentPreset::NnUnet,
                        vwb::AugmentPreset::Strong}) {
      vwb::PatchSampler sampler(*source, all, norm, patch, 0.33, vwb::augmentOptions(preset));
      std::vector<float> image(size_t(sampler.patchVoxels()));
      std::vector<uint8_t> label(image.size());
      for (int pass = 0; pass < 2; ++pass) {  // cold chunk cache (page cache warm), then warm
        t0 = now();
        const double c1 = threadCpuNow();
        for (int k = 0; k < a.patches; ++k) sampler.sample(uint64_t(k) * 7919 + uint64_t(patch), image.data(), label.data());
        const double s = now() - t0, cpu = threadCpuNow() - c1;
        fmt::print("patches {}^3 {:<6} {}: {:6.1f} augmented patches/s on one thread, {:6.1f} per CPU-second ({} patches)\n",
                   patch, vwb::augmentPresetName(preset), pass ? "warm" : "cold", a.patches / s, a.patches / cpu, a.patches);
      }
    }
    benchTransforms(*source, norm, patch, std::max(3, a.patches / 10));
  }
  fmt::print("chunk cache:         budget {} MiB, peak {} MiB\n", source->cacheBudgetBytes() >> 20,
             source->cachePeakBytes() >> 20);
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

  if (a.patchesOnly) return patchRates(a, ds);
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

  patchRates(a, ds);
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
  cmd.add_flag("--patches-only", a->patchesOnly, "Only the patch rates (per preset and transform) on the cache as it is");
  cmd.add_option("--sizes", a->sizes, "Patch edges to measure")->capture_default_str();
  cmd.callback([a] { run(*a); });
});

// vwb bench-score: times the competition score on a synthetic volume with many features: four
// wavy 2-voxel sheets with 20 through-holes as the label, and as the prediction the same shifted by
// one voxel, punched by 40 more holes and with 1 % of its voxels dropped: thousands of tunnels and
// components on the prediction's side, tunnels on both sides for Betti matching to match.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include <sys/resource.h>

#include "CommandRegistry.h"
#include "engine/io/TiffVolume.h"
#include "engine/metrics/Score.h"
#include "engine/metrics/SurfaceDice.h"
#include "engine/metrics/TopoScore.h"
#include "engine/metrics/VariationOfInformation.h"

namespace {

vwb::VolumeU8 wavySheets(int64_t n, int64_t shift) {
  vwb::VolumeU8 v(vwb::Shape3{n, n, n});
  for (int64_t z = 0; z < n; ++z)
    for (int64_t y = 0; y < n; ++y)
      for (int64_t x = 0; x < n; ++x) {
        const double base = (z - shift) - n * 0.06 * std::sin(x * 0.045) - n * 0.03 * std::cos(y * 0.035);
        for (int k = 1; k <= 4; ++k)
          if (base >= k * n / 5.0 && base < k * n / 5.0 + 2) v.at(z, y, x) = 1;
      }
  return v;
}

// `holes` 3x3 through-holes along z, then a fraction `drop` of the foreground voxels removed.
vwb::VolumeU8 damaged(vwb::VolumeU8 v, uint32_t seed, int holes, double dropFraction) {
  std::mt19937 rng(seed);
  const int64_t n = v.shape.d;
  std::uniform_int_distribution<int64_t> pos(3, n - 4);
  for (int hole = 0; hole < holes; ++hole) {
    const int64_t y = pos(rng), x = pos(rng);
    for (int64_t z = 0; z < n; ++z)
      for (int64_t dy = -1; dy <= 1; ++dy)
        for (int64_t dx = -1; dx <= 1; ++dx) v.at(z, y + dy, x + dx) = 0;
  }
  std::bernoulli_distribution drop(dropFraction);
  for (auto& b : v.data)
    if (b && drop(rng)) b = 0;
  return v;
}

// Wall and CPU seconds of one step: on a shared machine the CPU time is the steadier number.
struct Timer {
  std::chrono::steady_clock::time_point wall0 = std::chrono::steady_clock::now();
  std::clock_t cpu0 = std::clock();
  std::string str() const {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%7.3f s wall, %7.3f s cpu", wall, cpu);
    return buf;
  }
};

}  // namespace

// Registered by hand: the VWB_COMMAND macro cannot spell a name with a dash.
static vwb::cli::CommandRegistrar benchScoreCommand("bench-score", 900, "Benchmark: time the competition score on a synthetic volume", [](CLI::App& cmd) {
  auto size = std::make_shared<int64_t>(320);
  auto write = std::make_shared<std::string>();
  cmd.add_option("--size", *size, "edge of the cubic volume")->check(CLI::Range(8, 2048));
  cmd.add_option("--write", *write, "also write the pair as DIR/pred/bench.tif and DIR/labels/bench.tif (to run "
                                    "the official scorer on the same volumes)");
  cmd.callback([size, write] {
    Timer t;
    const vwb::VolumeU8 gt = damaged(wavySheets(*size, 0), 7, 20, 0), pred = damaged(damaged(wavySheets(*size, 1), 7, 20, 0), 13, 40, 0.01);
    std::printf("volume %lldx%lldx%lld: 4 wavy sheets, 20 holes; prediction shifted by 1, 40 more holes, 1%% voxels dropped"
                " (made in %s)\n", (long long)*size, (long long)*size, (long long)*size, t.str().c_str());
    if (!write->empty()) {
      std::filesystem::create_directories(*write + "/pred");
      std::filesystem::create_directories(*write + "/labels");
      vwb::writeVolumeU8(*write + "/pred/bench.tif", pred);
      vwb::writeVolumeU8(*write + "/labels/bench.tif", gt);
    }
    t = Timer();
    const double sd = vwb::surfaceDice(gt, pred, 2.0).value;
    const std::string tSd = t.str();
    t = Timer();
    const vwb::VoiResult voi = vwb::variationOfInformation(gt, pred);
    const std::string tVoi = t.str();
    t = Timer();
    const vwb::TopoResult topo = vwb::topoScore(gt, pred, 1);
    const std::string tTopo = t.str();
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    t = Timer();
    vwb::topoScore(gt, pred, 0);
    const std::string tTopoAll = t.str();
    t = Timer();
    vwb::ScoreOptions one;
    one.threads = 1;
    const vwb::VolumeScore s = vwb::scoreVolume(pred, gt, one);
    const std::string tAll = t.str();
    std::printf("surface_dice  %.6f  %s\n", sd, tSd.c_str());
    std::printf("voi_score     %.6f  %s  (split %.4f, merge %.4f bits)\n", voi.score, tVoi.c_str(), voi.predGivenGt,
                voi.gtGivenPred);
    std::printf("topo_score    %.6f  %s  one core\n", topo.score, tTopo.c_str());
    std::printf("              %8s  %s  %u cores (octants in parallel)\n", "", tTopoAll.c_str(), cores);
    for (int k = 0; k < 3; ++k)
      std::printf("  dim %d: matched %lld, pred %lld, gt %lld\n", k, (long long)topo.matched[k], (long long)topo.pred[k],
                  (long long)topo.gt[k]);
    std::printf("score         %.6f  %s  one core, everything (label-2 masking included)\n", s.score, tAll.c_str());
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS      %.0f MB\n", ru.ru_maxrss / 1024.0);
  });
});

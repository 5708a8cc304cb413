// vwb bench-score: times the competition score on a synthetic volume (wavy sheets vs. a
// perturbed copy), whole and per part, on one core.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

#include "CommandRegistry.h"
#include "engine/metrics/Score.h"
#include "engine/metrics/SurfaceDice.h"
#include "engine/metrics/TopoScore.h"
#include "engine/metrics/VariationOfInformation.h"

namespace {

// Three wavy 2-voxel sheets; `phase` moves them a little, `gap` cuts a slot into the middle one.
vwb::VolumeU8 wavySheets(int64_t n, double phase, bool gap) {
  vwb::VolumeU8 v(vwb::Shape3{n, n, n});
  for (int64_t z = 0; z < n; ++z)
    for (int64_t y = 0; y < n; ++y)
      for (int64_t x = 0; x < n; ++x) {
        const double base = z - n * 0.1 * std::sin(x * 0.05 + phase) - n * 0.05 * std::cos(y * 0.04);
        for (int k = 1; k <= 3; ++k)
          if (std::abs(base - k * n / 4.0) < 1.0 && !(gap && k == 2 && std::abs(x - n / 2.0) < 2))
            v.at(z, y, x) = 1;
      }
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
    std::snprintf(buf, sizeof buf, "%.3f s wall, %.3f s cpu", wall, cpu);
    return buf;
  }
};

}  // namespace

// Registered by hand: the VWB_COMMAND macro cannot spell a name with a dash.
static vwb::cli::CommandRegistrar benchScoreCommand("bench-score", 900, "Benchmark: time the competition score on a synthetic volume", [](CLI::App& cmd) {
  auto size = std::make_shared<int64_t>(320);
  cmd.add_option("--size", *size, "edge of the cubic volume")->check(CLI::Range(8, 2048));
  cmd.callback([size] {
    const vwb::VolumeU8 gt = wavySheets(*size, 0.0, false), pred = wavySheets(*size, 0.15, true);
    Timer t;
    const double sd = vwb::surfaceDice(gt, pred, 2.0).value;
    const std::string tSd = t.str();
    t = Timer();
    const double voi = vwb::variationOfInformation(gt, pred).score;
    const std::string tVoi = t.str();
    t = Timer();
    const double topo = vwb::topoScore(gt, pred).score;
    const std::string tTopo = t.str();
    t = Timer();
    const vwb::VolumeScore s = vwb::scoreVolume(pred, gt);
    const std::string tAll = t.str();
    std::printf("volume %lldx%lldx%lld (one core)\n", (long long)*size, (long long)*size, (long long)*size);
    std::printf("surface_dice  %.4f  %s\n", sd, tSd.c_str());
    std::printf("voi_score     %.4f  %s\n", voi, tVoi.c_str());
    std::printf("topo_score    %.4f  %s\n", topo, tTopo.c_str());
    std::printf("score         %.4f  %s (everything, label-2 masking included)\n", s.score, tAll.c_str());
  });
});

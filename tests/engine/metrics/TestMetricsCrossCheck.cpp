// The fast paths (run-length union-find, truncated separable EDT, window-code Euler sums)
// against slow, obvious voxel-by-voxel versions on random masks.
#include <QtTest>

#include <cmath>
#include <deque>
#include <map>
#include <random>

#include "engine/metrics/NeighbourCodes.h"
#include "engine/metrics/SurfaceDice.h"
#include "engine/metrics/SurfelAreas.h"
#include "engine/metrics/TopoScore.h"
#include "engine/metrics/VariationOfInformation.h"

using namespace vwb;

namespace {

VolumeU8 randomMask(Shape3 s, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution on(density);
  VolumeU8 v(s);
  for (auto& x : v.data) x = on(rng);
  return v;
}

// Breadth-first labels of voxels equal to `value`, 6- or 26-connected; -1 elsewhere.
std::vector<int> bfsLabels(const VolumeU8& v, uint8_t value, bool full, int& count) {
  const Shape3 s = v.shape;
  std::vector<int> label(v.size(), -1);
  count = 0;
  for (int64_t z0 = 0; z0 < s.d; ++z0)
    for (int64_t y0 = 0; y0 < s.h; ++y0)
      for (int64_t x0 = 0; x0 < s.w; ++x0) {
        if (v.at(z0, y0, x0) != value || label[v.index(z0, y0, x0)] >= 0) continue;
        std::deque<std::array<int64_t, 3>> queue{{z0, y0, x0}};
        label[v.index(z0, y0, x0)] = count;
        while (!queue.empty()) {
          auto [z, y, x] = queue.front();
          queue.pop_front();
          for (int dz = -1; dz <= 1; ++dz)
            for (int dy = -1; dy <= 1; ++dy)
              for (int dx = -1; dx <= 1; ++dx) {
                if (!full && std::abs(dz) + std::abs(dy) + std::abs(dx) != 1) continue;
                const int64_t a = z + dz, b = y + dy, c = x + dx;
                if (a < 0 || b < 0 || c < 0 || a >= s.d || b >= s.h || c >= s.w) continue;
                if (v.at(a, b, c) != value || label[v.index(a, b, c)] >= 0) continue;
                label[v.index(a, b, c)] = count;
                queue.push_back({a, b, c});
              }
        }
        ++count;
      }
  return label;
}

}  // namespace

class TestMetricsCrossCheck : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void surfaceDiceAgainstBruteForceDistances() {
    const Shape3 s{9, 10, 11};
    for (unsigned seed = 1; seed <= 6; ++seed) {
      const VolumeU8 a = randomMask(s, 0.05, seed), b = randomMask(s, 0.05, seed + 100);
      const Box3 box = Box3::of(s);  // the metric crops; distances must not depend on it
      const auto ca = neighbourCodes(a, box), cb = neighbourCodes(b, box);
      auto points = [&](const std::vector<uint8_t>& c) {
        std::vector<std::array<int64_t, 4>> p;
        for (int64_t z = 0; z <= s.d; ++z)
          for (int64_t y = 0; y <= s.h; ++y)
            for (int64_t x = 0; x <= s.w; ++x) {
              const uint8_t code = c[static_cast<size_t>((z * (s.h + 1) + y) * (s.w + 1) + x)];
              if (code != 0 && code != 255) p.push_back({z, y, x, code});
            }
        return p;
      };
      const auto pa = points(ca), pb = points(cb);
      // Up to 3 through the ball of neighbours, above through the distance transform.
      for (double tau : {0.0, 1.0, 1.5, 2.0, 3.0, 3.9, 4.0, 6.0}) {
        double within = 0, total = 0;
        auto side = [&](const auto& from, const auto& to) {
          for (const auto& p : from) {
            int64_t best = INT64_MAX;
            for (const auto& q : to)
              best = std::min(best, (p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]));
            total += surfelAreas()[p[3]];
            if (std::sqrt(double(best)) <= tau) within += surfelAreas()[p[3]];
          }
        };
        side(pa, pb);
        side(pb, pa);
        QVERIFY(std::abs(surfaceDice(a, b, tau).value - within / total) < 1e-12);
      }
    }
  }

  void voiAgainstVoxelCounts() {
    const Shape3 s{8, 9, 10};
    for (unsigned seed = 1; seed <= 6; ++seed) {
      const VolumeU8 g = randomMask(s, 0.3, seed), p = randomMask(s, 0.3, seed + 50);
      int ng = 0, np = 0;
      const auto lg = bfsLabels(g, 1, true, ng), lp = bfsLabels(p, 1, true, np);
      std::map<std::pair<int, int>, double> joint;
      std::map<int, double> mg, mp;
      double n = 0;
      for (size_t i = 0; i < g.size(); ++i) {
        if (!g.data[i] && !p.data[i]) continue;
        joint[{lg[i], lp[i]}] += 1, mg[lg[i]] += 1, mp[lp[i]] += 1, n += 1;
      }
      double hGivenP = 0, hGivenG = 0;
      for (const auto& [k, c] : joint) {
        hGivenP -= c / n * std::log2(c / mp[k.second]);
        hGivenG -= c / n * std::log2(c / mg[k.first]);
      }
      const VoiResult r = variationOfInformation(g, p);
      QVERIFY(std::abs(r.gtGivenPred - hGivenP) < 1e-12);
      QVERIFY(std::abs(r.predGivenGt - hGivenG) < 1e-12);
    }
  }

  void bettiNumbersAgainstCellCounts() {
    const Shape3 s{7, 8, 9};
    for (unsigned seed = 1; seed <= 8; ++seed) {
      const VolumeU8 v = randomMask(s, 0.45, seed);
      // Cells of the 6-connected complex: voxels, 6-adjacent pairs, 2x2 squares, 2x2x2 cubes.
      auto at = [&](int64_t z, int64_t y, int64_t x) {
        return z >= 0 && y >= 0 && x >= 0 && z < s.d && y < s.h && x < s.w && v.at(z, y, x);
      };
      int64_t V = 0, E = 0, F = 0, C = 0;
      for (int64_t z = 0; z < s.d; ++z)
        for (int64_t y = 0; y < s.h; ++y)
          for (int64_t x = 0; x < s.w; ++x) {
            if (!at(z, y, x)) continue;
            V += 1;
            E += at(z + 1, y, x) + at(z, y + 1, x) + at(z, y, x + 1);
            F += (at(z, y + 1, x) && at(z, y, x + 1) && at(z, y + 1, x + 1)) +
                 (at(z + 1, y, x) && at(z, y, x + 1) && at(z + 1, y, x + 1)) +
                 (at(z + 1, y, x) && at(z, y + 1, x) && at(z + 1, y + 1, x));
            C += at(z + 1, y, x) && at(z, y + 1, x) && at(z, y, x + 1) && at(z + 1, y + 1, x) &&
                 at(z + 1, y, x + 1) && at(z, y + 1, x + 1) && at(z + 1, y + 1, x + 1);
          }
      QCOMPARE(eulerCharacteristic6(v, Box3::of(s)), V - E + F - C);
      int b0 = 0, bgCount = 0;
      bfsLabels(v, 1, false, b0);
      // Cavities: background pieces (26-connected) not reaching a face.
      const auto bg = bfsLabels(v, 0, true, bgCount);
      std::vector<bool> open(static_cast<size_t>(bgCount), false);
      for (int64_t z = 0; z < s.d; ++z)
        for (int64_t y = 0; y < s.h; ++y)
          for (int64_t x = 0; x < s.w; ++x)
            if (!v.at(z, y, x) && (z == 0 || y == 0 || x == 0 || z == s.d - 1 || y == s.h - 1 || x == s.w - 1))
              open[static_cast<size_t>(bg[v.index(z, y, x)])] = true;
      const int64_t b2 = std::count(open.begin(), open.end(), false);
      const BettiNumbers b = bettiNumbers(v, Box3::of(s));
      QCOMPARE(b.b0, int64_t(b0));
      QCOMPARE(b.b2, b2);
      QCOMPARE(b.b1, b0 + b2 - (V - E + F - C));
    }
  }
};

QTEST_APPLESS_MAIN(TestMetricsCrossCheck)
#include "TestMetricsCrossCheck.moc"

// The competition score on hand-checkable masks: sheets, shifted sheets, split and merged
// sheets, a torus, a hollow sphere, Betti matching per octant (essential component not counted,
// odd sizes), label-2 masking, bad label values and empty masks.
#include <QtTest>

#include <cmath>
#include <random>

#include "engine/core/Error.h"
#include "engine/metrics/DistanceTransform.h"
#include "engine/metrics/NeighbourCodes.h"
#include "engine/metrics/RunLengthMask.h"
#include "engine/metrics/Score.h"
#include "engine/metrics/SurfaceDice.h"
#include "engine/metrics/SurfelAreas.h"
#include "engine/metrics/TopoScore.h"
#include "engine/metrics/VariationOfInformation.h"

using namespace vwb;

namespace {

void fillBox(VolumeU8& v, Box3 b, uint8_t value = 1) {
  for (int64_t z = b.z0; z < b.z1; ++z)
    for (int64_t y = b.y0; y < b.y1; ++y)
      for (int64_t x = b.x0; x < b.x1; ++x) v.at(z, y, x) = value;
}

// A 2-voxel-thick sheet at z0..z0+1 over y, x in [2, 30) of a 32^3 volume.
VolumeU8 sheet(int64_t z0) {
  VolumeU8 v(Shape3{32, 32, 32});
  fillBox(v, {z0, 2, 2, z0 + 2, 30, 30});
  return v;
}

// -sum n/N log2(n/N): the entropy in bits of a partition of N voxels into parts of the given sizes.
double entropy(std::initializer_list<double> parts) {
  double n = 0, h = 0;
  for (double p : parts) n += p;
  for (double p : parts) h -= p / n * std::log2(p / n);
  return h;
}

// One 2x12x12 sheet inside each of the four octants with z < 16 of a 32^3 volume; `cut` splits
// each in two along x.
VolumeU8 sheetsPerOctant(Shape3 s, bool cut) {
  VolumeU8 v(s);
  for (int64_t y0 : {0, 16})
    for (int64_t x0 : {0, 16}) {
      fillBox(v, {4, y0 + 2, x0 + 2, 6, y0 + 14, x0 + 14});
      if (cut) fillBox(v, {4, y0 + 2, x0 + 7, 6, y0 + 14, x0 + 9}, 0);
    }
  return v;
}

template <class F>
VolumeU8 shapeOf(Shape3 s, F inside) {
  VolumeU8 v(s);
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x) v.at(z, y, x) = inside(double(z), double(y), double(x));
  return v;
}

// A torus of tube radius 2 around z = 7.5 + dz, ring radius 4.5, inside the first octant of 32^3.
VolumeU8 torusAt(int dz) {
  return shapeOf(Shape3{32, 32, 32}, [dz](double z, double y, double x) {
    const double ring = std::hypot(y - 7.5, x - 7.5) - 4.5;
    return ring * ring + (z - 7.5 - dz) * (z - 7.5 - dz) <= 4.2;
  });
}

}  // namespace

class TestMetrics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void surfelAreaTable() {
    const auto& a = surfelAreas();
    QCOMPARE(a[0], 0.0);
    QCOMPARE(a[255], 0.0);
    QVERIFY(std::abs(a[1] - std::sqrt(3.0) / 8) < 1e-15);        // one corner: a small triangle
    QVERIFY(std::abs(a[0b11] - std::sqrt(2.0) / 2) < 1e-15);     // an edge: a 1 x sqrt(1/2) quad
    QVERIFY(std::abs(a[0b1111] - 1.0) < 1e-15);                  // half the cube: a unit square
    for (int c = 0; c < 256; ++c) QVERIFY(std::abs(a[c] - a[255 - c]) < 1e-12);  // inside-out
  }

  void boxSurfaceAreaIsMarchingCubesArea() {
    // A 3x4x5 box: faces are unit squares, edges sqrt(2)/2 bevels, corners sqrt(3)/8 triangles.
    VolumeU8 v(Shape3{9, 9, 9});
    fillBox(v, {2, 2, 2, 5, 6, 7});
    const double a = 2, b = 3, c = 4;  // (size - 1) per axis
    const double expected = 2 * (a * b + b * c + a * c) + 4 * (a + b + c) * std::sqrt(2.0) / 2 +
                            8 * std::sqrt(3.0) / 8;
    const SurfaceDiceResult r = surfaceDice(v, v, 2.0);
    QVERIFY2(std::abs(r.gtArea - expected) < 1e-9, qPrintable(QString::number(r.gtArea)));
    QCOMPARE(r.value, 1.0);
  }

  void distanceTransformMatchesBruteForce() {
    const Shape3 s{7, 9, 11};
    std::mt19937 rng(3);
    std::vector<int32_t> grid(static_cast<size_t>(s.voxels()), kNoFeature);
    std::vector<std::array<int64_t, 3>> features;
    for (int i = 0; i < 6; ++i) {
      std::array<int64_t, 3> f{int64_t(rng() % s.d), int64_t(rng() % s.h), int64_t(rng() % s.w)};
      features.push_back(f);
      grid[static_cast<size_t>((f[0] * s.h + f[1]) * s.w + f[2])] = 0;
    }
    squaredDistanceTransform(grid, s);
    for (int64_t z = 0; z < s.d; ++z)
      for (int64_t y = 0; y < s.h; ++y)
        for (int64_t x = 0; x < s.w; ++x) {
          int64_t best = INT64_MAX;
          for (auto& f : features)
            best = std::min(best, (z - f[0]) * (z - f[0]) + (y - f[1]) * (y - f[1]) +
                                      (x - f[2]) * (x - f[2]));
          QCOMPARE(int64_t(grid[static_cast<size_t>((z * s.h + y) * s.w + x)]), best);
        }
    std::vector<int32_t> none(27, kNoFeature);
    squaredDistanceTransform(none, Shape3{3, 3, 3});
    QCOMPARE(none[13], kNoFeature);
  }

  void identicalMasksScoreOne() {
    VolumeU8 label = shapeOf(Shape3{40, 40, 40}, [](double z, double y, double x) {
      return std::abs(z - 20 - 5 * std::sin(x / 6) - 3 * std::cos(y / 7)) < 1.5;
    });
    const VolumeScore s = scoreVolume(label, label);
    QCOMPARE(s.surfaceDice, 1.0);
    QCOMPARE(s.voi, 0.0);
    QCOMPARE(s.voiScore, 1.0);
    QCOMPARE(s.topoScore, 1.0);
    QVERIFY(s.score == 1.0);  // exactly, not fuzzily
  }

  void shiftedSheetSurfaceDice() {
    QCOMPARE(surfaceDice(sheet(10), sheet(11), 2.0).value, 1.0);
    QCOMPARE(surfaceDice(sheet(10), sheet(12), 2.0).value, 1.0);  // faces 2 apart: still within
    const double d4 = surfaceDice(sheet(10), sheet(14), 2.0).value;
    QVERIFY2(d4 < 0.9 && d4 > 0.1, qPrintable(QString::number(d4)));
  }

  void singleVoxelsThreeApartHalfWithin() {
    // Each voxel's 8 corners carry sqrt(3)/8; shifted by 3 in x, the near 4 corners are 2 away
    // (within tau = 2), the far 4 are 4 away: SurfaceDice = 1/2 exactly.
    VolumeU8 a(Shape3{8, 8, 8}), b(Shape3{8, 8, 8});
    a.at(3, 3, 1) = 1;
    b.at(3, 3, 4) = 1;
    const SurfaceDiceResult r = surfaceDice(a, b, 2.0);
    QVERIFY(std::abs(r.gtArea - std::sqrt(3.0)) < 1e-12);
    QVERIFY(std::abs(r.value - 0.5) < 1e-12);
    QCOMPARE(surfaceDice(a, b, 1.99).value, 0.0);
  }

  void splitSheetVoi() {
    VolumeU8 gt = sheet(4), pred = sheet(4);
    fillBox(pred, {4, 2, 15, 6, 30, 16}, 0);  // cut at x = 15: halves of 13 and 14 columns
    const VoiResult r = variationOfInformation(gt, pred);
    // Union = the GT sheet (2*28*28 voxels), GT is one label; Pred: 2*28*13, 2*28*14, gap 2*28.
    QCOMPARE(r.gtGivenPred, 0.0);
    QVERIFY(std::abs(r.predGivenGt - entropy({728, 784, 56})) < 1e-12);
    QVERIFY(std::abs(r.score - 1 / (1 + 0.3 * r.voi)) < 1e-15);
  }

  void mergedSheetsVoi() {
    VolumeU8 gt = sheet(4);
    fillBox(gt, {10, 2, 2, 12, 30, 30});
    VolumeU8 pred = gt;
    fillBox(pred, {6, 15, 15, 10, 17, 17});  // a 4x2x2 bridge joins the sheets
    const VoiResult r = variationOfInformation(gt, pred);
    QCOMPARE(r.predGivenGt, 0.0);
    QVERIFY(std::abs(r.gtGivenPred - entropy({1568, 1568, 16})) < 1e-12);
  }

  void diagonalTouchIs26Connected() {
    VolumeU8 gt(Shape3{4, 4, 4}), pred(Shape3{4, 4, 4});
    gt.at(1, 1, 1) = gt.at(2, 2, 2) = 1;  // corner-to-corner: one 26-component
    pred = gt;
    QCOMPARE(variationOfInformation(gt, pred).voi, 0.0);
    const RunLengthMask m = RunLengthMask::encode(gt, Box3::of(gt.shape));
    QCOMPARE(labelComponents(m, Connectivity::Full26).count, int64_t(1));
    QCOMPARE(labelComponents(m, Connectivity::Face6).count, int64_t(2));
  }

  void torusHasOneTunnel() {
    const VolumeU8 torus = shapeOf(Shape3{32, 32, 32}, [](double z, double y, double x) {
      const double ring = std::hypot(y - 15.5, x - 15.5) - 9;
      return ring * ring + (z - 15.5) * (z - 15.5) <= 9;
    });
    const BettiNumbers b = bettiNumbers(torus, Box3::of(torus.shape));
    QCOMPARE(b.b0, int64_t(1));
    QCOMPARE(b.b1, int64_t(1));
    QCOMPARE(b.b2, int64_t(0));
  }

  void hollowSphereHasOneCavity() {
    const VolumeU8 shell = shapeOf(Shape3{32, 32, 32}, [](double z, double y, double x) {
      const double r = std::sqrt((z - 15.5) * (z - 15.5) + (y - 15.5) * (y - 15.5) + (x - 15.5) * (x - 15.5));
      return r >= 6 && r <= 9;
    });
    const BettiNumbers b = bettiNumbers(shell, Box3::of(shell.shape));
    QCOMPARE(b.b0, int64_t(1));
    QCOMPARE(b.b1, int64_t(0));
    QCOMPARE(b.b2, int64_t(1));
    // Open the shell with a hole: the cavity disappears.
    VolumeU8 open = shell;
    fillBox(open, {14, 14, 0, 18, 18, 16}, 0);
    QCOMPARE(bettiNumbers(open, Box3::of(open.shape)).b2, int64_t(0));
  }

  void smallRingByHand() {
    // 3x3 ring in one plane: 8 vertices, 8 edges, no squares -> chi = 0 -> b1 = 1.
    VolumeU8 v(Shape3{3, 5, 5});
    fillBox(v, {1, 1, 1, 2, 4, 4});
    v.at(1, 2, 2) = 0;
    QCOMPARE(eulerCharacteristic6(v, Box3::of(v.shape)), int64_t(0));
    QCOMPARE(bettiNumbers(v, Box3::of(v.shape)).b1, int64_t(1));
    // Diagonal-only contact is not 6-connected: two components, no tunnel.
    VolumeU8 d(Shape3{3, 3, 3});
    d.at(0, 0, 0) = d.at(1, 1, 0) = 1;
    const BettiNumbers bd = bettiNumbers(d, Box3::of(d.shape));
    QCOMPARE(bd.b0, int64_t(2));
    QCOMPARE(bd.b1, int64_t(0));
  }

  void essentialComponentOfEachOctantIsNotCounted() {
    // GT: one 2x2x2 block in each octant; Pred: only 4 of them. One component per octant is the
    // essential class of that octant: no pair anywhere, so TopoScore has nothing to compare.
    VolumeU8 gt(Shape3{16, 16, 16}), pred(Shape3{16, 16, 16});
    for (const Box3& o : octants(gt.shape)) fillBox(gt, {o.z0 + 3, o.y0 + 3, o.x0 + 3, o.z0 + 5, o.y0 + 5, o.x0 + 5});
    for (const Box3& o : octants(gt.shape))
      if (o.x0 == 0) fillBox(pred, {o.z0 + 3, o.y0 + 3, o.x0 + 3, o.z0 + 5, o.y0 + 5, o.x0 + 5});
    const TopoResult t = topoScore(gt, pred);
    for (int k = 0; k < 3; ++k) QVERIFY(t.gt[k] == 0 && t.pred[k] == 0 && !t.used[k]);
    QCOMPARE(t.score, 1.0);
    // A second component (one voxel in the octant's corner) in every octant: 8 pairs, all matched.
    VolumeU8 two = gt;
    for (const Box3& o : octants(gt.shape)) two.at(o.z0, o.y0, o.x0) = 1;
    const TopoResult same = topoScore(two, two);
    QCOMPARE(same.gt[0], int64_t(8));
    QCOMPARE(same.matched[0], int64_t(8));
    QCOMPARE(same.score, 1.0);
    // Spurious pairs with no GT pair: 0.5 / (p + 0.5).
    const TopoResult spurious = topoScore(gt, two);
    QCOMPARE(spurious.pred[0], int64_t(8));
    QVERIFY(std::abs(spurious.score - 0.5 / 8.5) < 1e-12);
  }

  void sheetCutInTwoInFourOctants() {
    // One sheet in each of four octants: no pair. The prediction cuts each in two: four pieces
    // that are pairs GT lacks, so dimension 0 is the only one used: 0.5 / (4 + 0.5) = 1/9.
    const Shape3 s{32, 32, 32};
    const VolumeU8 gt = sheetsPerOctant(s, false), pred = sheetsPerOctant(s, true);
    const TopoResult t = topoScore(gt, pred);
    QCOMPARE(t.pred[0], int64_t(4));
    QCOMPARE(t.gt[0], int64_t(0));
    QCOMPARE(t.matched[0], int64_t(0));
    QVERIFY(!t.used[1] && !t.used[2]);
    QVERIFY(std::abs(t.score - 1.0 / 9) < 1e-15);
  }

  void torusTunnelIsMatched() {
    // A torus inside the first octant: one tunnel on each side; a shifted copy still overlaps it,
    // so the tunnels map to the same tunnel of the union and are matched.
    const VolumeU8 torus = torusAt(0), shifted = torusAt(1);
    const TopoResult same = topoScore(torus, torus);
    QCOMPARE(same.gt[1], int64_t(1));
    QCOMPARE(same.matched[1], int64_t(1));
    QCOMPARE(same.score, 1.0);
    const TopoResult moved = topoScore(torus, shifted);
    QCOMPARE(moved.pred[1], int64_t(1));
    QCOMPARE(moved.matched[1], int64_t(1));
    // Broken ring: no tunnel predicted, the GT tunnel is missed: F1 0 on the only used dimension.
    VolumeU8 broken = torus;
    fillBox(broken, {0, 0, 7, 16, 8, 9}, 0);
    const TopoResult missed = topoScore(torus, broken);
    QCOMPARE(missed.pred[1], int64_t(0));
    QCOMPARE(missed.gt[1], int64_t(1));
    QCOMPARE(missed.score, 0.0);
  }

  void hollowSphereCavityIsMatched() {
    auto shell = [](double rIn) {
      return shapeOf(Shape3{32, 32, 32}, [rIn](double z, double y, double x) {
        const double r = std::sqrt((z - 7.5) * (z - 7.5) + (y - 7.5) * (y - 7.5) + (x - 7.5) * (x - 7.5));
        return r >= rIn && r <= 6.5;
      });
    };
    const TopoResult same = topoScore(shell(3), shell(3));
    QCOMPARE(same.gt[2], int64_t(1));
    QCOMPARE(same.matched[2], int64_t(1));
    QCOMPARE(same.score, 1.0);
    const TopoResult thicker = topoScore(shell(3), shell(4));  // cavities nested: one cavity of the union
    QCOMPARE(thicker.matched[2], int64_t(1));
    const TopoResult solid = topoScore(shell(3), shell(0));  // a ball: the cavity is missed
    QCOMPARE(solid.pred[2], int64_t(0));
    QCOMPARE(solid.matched[2], int64_t(0));
    QCOMPARE(solid.score, 0.0);
  }

  void oddSizesGiveTheFirstHalfTheExtraVoxel() {
    // 17 voxels along x: the official octants are x in [0, 9) and [9, 17). Blocks at x = 2 and
    // x = 8 lie in the same octant: two components, one pair (with halves at 8 it would be none).
    VolumeU8 v(Shape3{17, 17, 17});
    fillBox(v, {2, 2, 2, 4, 4, 3});
    fillBox(v, {2, 2, 8, 4, 4, 9});
    const std::vector<Box3> boxes = octants(v.shape);
    QCOMPARE(boxes[0].x1, int64_t(9));
    QCOMPARE(boxes[0].z1, int64_t(9));
    QCOMPARE(topoScore(v, v).gt[0], int64_t(1));
    // Thin volumes: an axis of 1 is not cut (one part), and flat blocks report no cavity.
    QCOMPARE(octants(Shape3{1, 4, 4}).size(), size_t(4));
  }

  void labelTwoIsIgnoredInBothMasks() {
    VolumeU8 label = sheet(4);
    fillBox(label, {12, 4, 4, 20, 20, 20}, 2);  // an unlabeled block
    VolumeU8 pred = sheet(4);
    QCOMPARE(scoreVolume(pred, label).score, 1.0);  // nothing predicted in it: fine
    fillBox(pred, {12, 4, 4, 20, 20, 20}, 1);
    QCOMPARE(scoreVolume(pred, label).score, 1.0);  // something predicted in it: also fine
    VolumeU8 labelled = label;
    fillBox(labelled, {12, 4, 4, 20, 20, 20}, 1);
    QVERIFY(scoreVolume(sheet(4), labelled).score < 0.9);  // were it labelled, it would count
  }

  void emptyMasks() {
    const VolumeU8 empty(Shape3{16, 16, 16});
    const VolumeScore both = scoreVolume(empty, empty);
    QCOMPARE(both.surfaceDice, 1.0);
    QCOMPARE(both.voiScore, 1.0);
    QCOMPARE(both.topoScore, 1.0);
    QCOMPARE(both.score, 1.0);
    VolumeU8 label(Shape3{16, 16, 16});
    fillBox(label, {4, 4, 4, 6, 12, 12});
    const VolumeScore missed = scoreVolume(empty, label);
    QCOMPARE(missed.surfaceDice, 0.0);
    // One GT component per octant it touches: essential classes only, nothing to miss.
    QCOMPARE(missed.topoScore, 1.0);
    QCOMPARE(missed.voi, 0.0);  // pred constant 0 over the union, GT one label: no information lost
    QCOMPARE(missed.score, 0.65);
    QCOMPARE(scoreVolume(label, empty).surfaceDice, 0.0);
  }

  void shapeMismatchIsAnError() {
    QVERIFY_THROWS_EXCEPTION(vwb::Error, scoreVolume(VolumeU8(Shape3{2, 2, 2}), VolumeU8(Shape3{2, 2, 3})));
  }

  void badLabelValueIsAnError() {
    VolumeU8 label(Shape3{3, 4, 5});
    label.at(2, 1, 3) = 7;
    try {
      scoreVolume(label, label);
      QFAIL("a label holding 7 was scored");
    } catch (const vwb::Error& e) {
      QVERIFY2(QString(e.what()).contains("value 7 at z=2 y=1 x=3"), e.what());
    }
  }

  void allIgnoredVolumeIsLeftOutOfTheMean() {
    const VolumeU8 ignored(Shape3{8, 8, 8}, 2);
    VolumeScore s = scoreVolume(VolumeU8(Shape3{8, 8, 8}, 1), ignored);
    QVERIFY(s.allIgnored);
    QCOMPARE(s.score, 1.0);  // what the official metric gives it, whatever the prediction
    VolumeScore low;
    low.score = 0.25;
    QCOMPARE(meanScore({s, low}).score, 0.25);
  }

  void meanOverVolumes() {
    VolumeScore a, b;
    a.score = 1, b.score = 0.5, a.surfaceDice = 0.2, b.surfaceDice = 0.4;
    const VolumeScore m = meanScore({a, b});
    QCOMPARE(m.id, std::string("mean"));
    QCOMPARE(m.score, 0.75);
    QVERIFY(std::abs(m.surfaceDice - 0.3) < 1e-15);
  }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "TestMetrics.moc"

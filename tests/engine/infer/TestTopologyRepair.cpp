// Plugging 1-voxel holes and per-sheet closing (engine/infer/TopologyRepair.h) on hand-made
// sheets, and their place in postprocess().
#include <QtTest>

#include "engine/core/Error.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/TopologyRepair.h"

namespace {

// A z-sheet at height z0 over the whole (y, x) extent.
void addSheet(vwb::VolumeU8& m, int64_t z0) {
  for (int64_t y = 0; y < m.shape.h; ++y)
    for (int64_t x = 0; x < m.shape.w; ++x) m.at(z0, y, x) = 1;
}

int64_t count(const vwb::VolumeU8& m) {
  int64_t n = 0;
  for (auto v : m.data) n += v;
  return n;
}

}  // namespace

class TestTopologyRepair : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // chi = V - E + F - C of the closed cubes: by hand for the three local situations.
  void eulerChangeByHand() {
    vwb::VolumeU8 m({5, 5, 5});
    QCOMPARE(vwb::eulerChangeIfSet(m, 2, 2, 2), 1);  // an isolated voxel: one new component
    addSheet(m, 2);
    m.at(2, 2, 2) = 0;
    QCOMPARE(vwb::eulerChangeIfSet(m, 2, 2, 2), 1);  // plugs a tunnel: 0 - 0 + 2 - 1
    QCOMPARE(vwb::eulerChangeIfSet(m, 3, 0, 0), 0);  // a bump on the sheet: 4 - 8 + 5 - 1
    m.at(2, 2, 3) = 0;                               // a 2x1 hole
    QCOMPARE(vwb::eulerChangeIfSet(m, 2, 2, 2), 0);  // 0 - 2 + 3 - 1: no single voxel closes it
  }

  void plugsOnlyOneVoxelHoles() {
    vwb::VolumeU8 m({6, 12, 12});
    addSheet(m, 3);
    m.at(3, 2, 2) = 0;                     // 1-voxel hole
    m.at(3, 6, 6) = m.at(3, 6, 7) = 0;     // 2-voxel hole stays
    m.at(3, 9, 9) = m.at(3, 10, 10) = 0;   // diagonal pair: 26-connected foreground bridges
                                           // the corners, so each is its own 1-voxel tunnel
    const int64_t before = count(m);
    QCOMPARE(vwb::plugOneVoxelHoles(m), int64_t(3));
    QCOMPARE(count(m), before + 3);
    QVERIFY(m.at(3, 2, 2) && m.at(3, 9, 9) && m.at(3, 10, 10));
    QVERIFY(!m.at(3, 6, 6) && !m.at(3, 6, 7));
    // Nothing is added off the sheet.
    for (int64_t z : {2, 4})
      for (int64_t i = 0; i < 144; ++i) QCOMPARE(m.data[size_t(z * 144 + i)], uint8_t(0));
  }

  // Two parallel sheets with holes, three voxels apart: a global closing of radius 2 fuses them
  // into a slab; the per-sheet closing fills both holes and keeps them apart and one voxel thin.
  void sheetClosingFillsFootprintsWithoutBridging() {
    vwb::VolumeU8 m({13, 16, 16});
    addSheet(m, 4);
    addSheet(m, 8);
    for (int64_t y = 6; y < 9; ++y)
      for (int64_t x = 6; x < 9; ++x) m.at(4, y, x) = m.at(8, y, x) = 0;  // 3x3 holes
    vwb::VolumeU8 global = m;
    vwb::closeMask(global, 2);
    QVERIFY(global.at(6, 0, 0));  // the global closing fused the sheets
    QCOMPARE(vwb::closeEachSheet(m, 2), int64_t(18));
    for (int64_t y = 6; y < 9; ++y)
      for (int64_t x = 6; x < 9; ++x) QVERIFY(m.at(4, y, x) && m.at(8, y, x));
    QCOMPARE(count(m), int64_t(2 * 16 * 16));  // exactly the two full sheets
  }

  // A sheet tilted into x (normal mostly along z): the best projection axis is z, and a hole in it
  // is filled at the sheet's own height.
  void tiltedSheetIsClosedAlongItsBestAxis() {
    vwb::VolumeU8 m({12, 16, 16});
    for (int64_t y = 0; y < 16; ++y)
      for (int64_t x = 0; x < 16; ++x) m.at(2 + x / 4, y, x) = 1;
    m.at(2 + 9 / 4, 8, 9) = 0;
    m.at(2 + 10 / 4, 8, 10) = 0;
    QVERIFY(vwb::closeEachSheet(m, 1) >= 2);
    QVERIFY(m.at(2 + 9 / 4, 8, 9) && m.at(2 + 10 / 4, 8, 10));
    // No column along z holds two voxels more than the staircase already had.
    for (int64_t y = 0; y < 16; ++y)
      for (int64_t x = 0; x < 16; ++x) {
        int64_t column = 0;
        for (int64_t z = 0; z < 12; ++z) column += m.at(z, y, x);
        QCOMPARE(column, int64_t(1));
      }
  }

  void postprocessRunsTheNewSteps() {
    vwb::VolumeU8 prob({6, 10, 10});
    for (int64_t y = 0; y < 10; ++y)
      for (int64_t x = 0; x < 10; ++x) prob.at(3, y, x) = 200;
    prob.at(3, 5, 5) = 10;
    vwb::PostProcessOptions o;
    QVERIFY(!vwb::postprocess(prob, o).at(3, 5, 5));
    o.plugHoles = true;
    QVERIFY(vwb::postprocess(prob, o).at(3, 5, 5));
    o.plugHoles = false;
    o.sheetClosingRadius = 1;
    QVERIFY(vwb::postprocess(prob, o).at(3, 5, 5));
    o.sheetClosingRadius = -1;
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::postprocess(prob, o));
  }
};

QTEST_GUILESS_MAIN(TestTopologyRepair)
#include "TestTopologyRepair.moc"

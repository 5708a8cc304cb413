// Post-processing steps on small masks whose right answer is obvious, and vwb postprocess.
#include <QtTest>

#include <filesystem>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/infer/PostProcess.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

namespace {

void fillBox(VolumeU8& v, int64_t z0, int64_t y0, int64_t x0, int64_t z1, int64_t y1, int64_t x1, uint8_t value = 1) {
  for (int64_t z = z0; z < z1; ++z)
    for (int64_t y = y0; y < y1; ++y)
      for (int64_t x = x0; x < x1; ++x) v.at(z, y, x) = value;
}

int64_t count(const VolumeU8& v) {
  int64_t n = 0;
  for (uint8_t x : v.data) n += x != 0;
  return n;
}

}  // namespace

class TestPostProcess : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void threshold() {
    VolumeU8 p(Shape3{1, 1, 4});
    p.data = {0, 127, 128, 255};
    PostProcessOptions o;
    QCOMPARE(postprocess(p, o).data, (std::vector<uint8_t>{0, 0, 1, 1}));
    o.threshold = 1.0;
    QCOMPARE(postprocess(p, o).data, (std::vector<uint8_t>{0, 0, 0, 1}));
    o.threshold = 0.0;
    QCOMPARE(postprocess(p, o).data, (std::vector<uint8_t>{1, 1, 1, 1}));
    o.threshold = 1.5;
    QVERIFY_THROWS_EXCEPTION(Error, postprocess(p, o));
    o.threshold = 0.5, o.borderVoxels = -1;
    QVERIFY_THROWS_EXCEPTION(Error, postprocess(p, o));
  }

  void border() {
    VolumeU8 m(Shape3{6, 7, 8}, 1);
    zeroBorder(m, 2);
    QCOMPARE(count(m), int64_t(2 * 3 * 4));
    QCOMPARE(m.at(2, 2, 2), uint8_t(1));
    QCOMPARE(m.at(3, 4, 5), uint8_t(1));
    QCOMPARE(m.at(3, 4, 6), uint8_t(0));
    QCOMPARE(m.at(1, 4, 4), uint8_t(0));
    VolumeU8 all(Shape3{3, 3, 3}, 1);
    zeroBorder(all, 5);  // wider than the volume: nothing left, no crash
    QCOMPARE(count(all), int64_t(0));
  }

  void smallComponents26Connected() {
    VolumeU8 m(Shape3{10, 10, 10});
    fillBox(m, 0, 0, 0, 1, 1, 5);        // 5 voxels
    fillBox(m, 5, 5, 5, 8, 8, 8);        // 27 voxels
    m.at(8, 8, 8) = m.at(9, 9, 9) = 1;   // touching the block only diagonally: same component
    removeSmallComponents(m, 10);
    QCOMPARE(count(m), int64_t(29));
    QCOMPARE(m.at(0, 0, 0), uint8_t(0));
    QCOMPARE(m.at(9, 9, 9), uint8_t(1));
  }

  void closingBridgesGapsAndOnlyAdds() {
    VolumeU8 m(Shape3{10, 12, 12});
    fillBox(m, 5, 0, 0, 7, 12, 12);
    fillBox(m, 5, 0, 6, 7, 12, 7, 0);  // a 1-voxel slot through the sheet
    m.at(0, 0, 0) = 1;                 // a lone corner voxel, 4 voxels away: stays alone
    const VolumeU8 before = m;
    closeMask(m, 1);
    for (size_t i = 0; i < m.size(); ++i) QVERIFY(m.data[i] >= before.data[i]);  // extensive
    QCOMPARE(m.at(5, 5, 6), uint8_t(1));  // slot closed
    QCOMPARE(m.at(4, 5, 6), uint8_t(0));  // nothing grows off the sheet
    QCOMPARE(count(m), int64_t(2 * 12 * 12 + 1));
  }

  void holesFilledOnlyWhenEnclosed() {
    VolumeU8 m(Shape3{9, 9, 9});
    fillBox(m, 1, 1, 1, 6, 6, 6);
    fillBox(m, 2, 2, 2, 5, 5, 5, 0);  // a closed 3^3 cavity
    fillBox(m, 6, 0, 0, 9, 9, 9);     // slab with an open pocket reaching the top face
    fillBox(m, 7, 3, 3, 9, 5, 5, 0);
    fillMaskHoles(m);
    QCOMPARE(m.at(3, 3, 3), uint8_t(1));
    QCOMPARE(m.at(7, 4, 4), uint8_t(0));
    QCOMPARE(m.at(0, 0, 0), uint8_t(0));
  }

  void cliWritesMasks() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const std::string root = dir.path().toStdString();
    std::filesystem::create_directories(root + "/prob");
    VolumeU8 p(Shape3{8, 8, 8}, 200);
    p.at(0, 0, 0) = 10;
    writeVolumeU8(root + "/prob/5.tif", p);
    const auto r = vwbtest::run(vwbtest::vwbExe(), {"postprocess", "--prob", dir.path() + "/prob", "--out",
                                                    dir.path() + "/mask", "--threshold", "0.9", "--border", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const VolumeU8 m = readVolumeU8(root + "/mask/5.tif");
    PostProcessOptions o;
    o.threshold = 0.9, o.borderVoxels = 1;
    QCOMPARE(m.data, postprocess(p, o).data);
    QCOMPARE(count(m), int64_t(0));  // 200/255 < 0.9
    const auto same = vwbtest::run(vwbtest::vwbExe(), {"postprocess", "--prob", dir.path() + "/prob", "--out",
                                                       dir.path() + "/prob"});
    QCOMPARE(same.exitCode, 1);
  }
};

QTEST_APPLESS_MAIN(TestPostProcess)
#include "TestPostProcess.moc"

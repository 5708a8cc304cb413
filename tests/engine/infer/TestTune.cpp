// vwb tune's search (engine/infer/PostProcessTuner.h) on hand-made probabilities whose best
// threshold is not 0.5 and whose dust must go; and the preset JSON round trip.
#include <QtTest>

#include <fstream>
#include <random>

#include "engine/core/Error.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/infer/PostProcessTuner.h"
#include "engine/metrics/Score.h"

namespace {

// Two sheets the network is unsure about (p = 0.35) and scattered confident specks (p = 0.9).
vwb::TuneCase sheets(unsigned seed) {
  vwb::TuneCase c;
  c.id = std::to_string(seed);
  const vwb::Shape3 s{24, 24, 24};
  c.probability255 = vwb::VolumeU8(s);
  c.label = vwb::VolumeU8(s);
  for (int64_t z : {7, 16})
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x) {
        c.label.at(z, y, x) = 1;
        c.probability255.at(z, y, x) = 89;  // 0.35
      }
  std::mt19937 rng(seed);
  for (int k = 0; k < 30; ++k) {
    int64_t z = rng() % 24, y = rng() % 24, x = rng() % 24;
    if (c.label.at(z, y, x) == 0 && (z % 9) > 1) c.probability255.at(z, y, x) = 230;
  }
  return c;
}

// The same sheets, confident (p = 0.9), with unsure bumps beside them (p = 0.35, background):
// a lower threshold only adds the bumps. And sheets alone, unsure: only a lower threshold finds them.
vwb::TuneCase confident(unsigned seed) {
  vwb::TuneCase c = sheets(seed);
  for (auto& p : c.probability255.data) p = p == 89 ? 230 : 0;
  std::mt19937 rng(seed);
  for (int k = 0; k < 6; ++k) c.probability255.at(8, int64_t(rng() % 24), int64_t(rng() % 24)) = 89;
  return c;
}
vwb::TuneCase unsure(unsigned seed) {
  vwb::TuneCase c = sheets(seed);
  for (auto& p : c.probability255.data) p = p == 89 ? 89 : 0;
  return c;
}

}  // namespace

class TestTune : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void findsTheThresholdAndRemovesDust() {
    std::vector<vwb::TuneCase> cases{sheets(1), sheets(2)};
    vwb::TuneGrid grid;
    grid.thresholds = {0.3, 0.5, 0.7};
    grid.minSizes = {0, 50};
    grid.closingRadii = {0};
    grid.sheetClosingRadii = {0};
    grid.plugHoles = {false};
    grid.fillHoles = {false};
    auto r = vwb::tunePostProcessing(cases, grid);
    QCOMPARE(r.best.threshold, 0.3);                   // the sheets appear only below 0.35
    QCOMPARE(r.best.minComponentVoxels, int64_t(50));  // the specks go, the 576-voxel sheets stay
    QVERIFY(r.bestScore > r.baselineScore + 0.2);
    QVERIFY(r.evaluations > 1);
    vwb::CancelToken cancel;
    cancel.cancel();
    auto stopped = vwb::tunePostProcessing(cases, grid, nullptr, &cancel);
    QCOMPARE(stopped.bestScore, stopped.baselineScore);  // nothing tried after the cancel
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::tunePostProcessing({}, grid));
  }

  // A change must raise more volumes than it lowers, not only the mean: threshold 0.3 rescues
  // one volume (its sheets appear) and spoils two a little (their bumps appear). The mean alone would
  // take it; the tuner keeps 0.5.
  void keepsOnlyWhatMostVolumesGainFrom() {
    std::vector<vwb::TuneCase> cases{unsure(1), confident(2), confident(3)};
    vwb::TuneGrid grid;
    grid.thresholds = {0.3, 0.5};
    grid.minSizes = {0};
    grid.closingRadii = {0};
    grid.sheetClosingRadii = {0};
    grid.plugHoles = {false};
    grid.fillHoles = {false};
    vwb::PostProcessOptions low;
    low.threshold = 0.3;
    double meanLow = 0, meanHalf = 0;
    int lowered = 0;
    for (const auto& c : cases) {
      const double a = vwb::scoreVolume(vwb::postprocess(c.probability255, low), c.label).score;
      const double b = vwb::scoreVolume(vwb::postprocess(c.probability255, {}), c.label).score;
      meanLow += a / 3, meanHalf += b / 3, lowered += a < b;
    }
    QVERIFY2(meanLow > meanHalf, qPrintable(QString("%1 vs %2").arg(meanLow).arg(meanHalf)));  // the mean prefers 0.3
    QCOMPARE(lowered, 2);
    auto r = vwb::tunePostProcessing(cases, grid);
    QCOMPARE(r.best.threshold, 0.5);
    QCOMPARE(r.bestScore, r.baselineScore);
  }

  void presetRoundTrip() {
    vwb::PostProcessOptions o;
    o.threshold = 0.26;
    o.minComponentVoxels = 200;
    o.plugHoles = true;
    o.sheetClosingRadius = 2;
    o.fillHoles = true;
    auto back = vwb::postProcessFromJson(vwb::postProcessToJson(o));
    QCOMPARE(back.threshold, 0.26);
    QCOMPARE(back.minComponentVoxels, int64_t(200));
    QVERIFY(back.plugHoles && back.fillHoles);
    QCOMPARE(back.sheetClosingRadius, 2);
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::postProcessFromJson("{\"threshold\": 0.3}"));
    QVERIFY(vwb::postProcessToJson(o).find("\"format\": \"vwb-postprocess/1\"") != std::string::npos);
  }

  // The GUI's records before the schema was shared (no format tag, its own key names) still load.
  void olderGuiRecordLoads() {
    const auto o = vwb::postProcessFromJson(R"({"threshold": 0.35, "border_voxels": 2, "min_component_voxels": 50,
        "closing_radius": 1, "fill_holes": true, "sheet_closing_radius": 3})");
    QCOMPARE(o.threshold, 0.35);
    QCOMPARE(o.borderVoxels, 2);
    QCOMPARE(o.minComponentVoxels, int64_t(50));
    QCOMPARE(o.closingRadius, 1);
    QVERIFY(o.fillHoles);
    QVERIFY(!o.plugHoles);  // absent in the oldest records: off
    QCOMPARE(o.sheetClosingRadius, 3);
    // Its ranges hold as the schema's do.
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::postProcessFromJson(R"({"threshold": 0.35, "border_voxels": 2000})"));
  }

  // An unknown format is refused, and a file's error names the file.
  void unknownFormatRefusedNamingTheFile() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/later.postprocess.json").toStdString();
    {
      std::ofstream f(path);
      f << R"({"format": "vwb-postprocess/2", "threshold": 0.4})";
    }
    try {
      vwb::readPostProcessFile(path);
      QFAIL("a record of an unknown format was read");
    } catch (const vwb::Error& e) {
      const QString what = e.what();
      QVERIFY2(what.contains(QString::fromStdString(path)) && what.contains("vwb-postprocess/2") &&
                   what.contains("vwb-postprocess/1"), qPrintable(what));
    }
    vwb::PostProcessOptions o;
    o.threshold = 0.4;
    o.borderVoxels = 3;
    vwb::writePostProcessFile(path, o);
    const auto back = vwb::readPostProcessFile(path);
    QCOMPARE(back.threshold, 0.4);
    QCOMPARE(back.borderVoxels, 3);
  }
};

QTEST_GUILESS_MAIN(TestTune)
#include "TestTune.moc"

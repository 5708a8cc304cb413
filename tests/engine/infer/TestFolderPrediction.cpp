// The engine's one predict-into-a-folder (engine/infer/FolderPrediction.h) with a stand-in
// network (the only fake here: the staging, the TIFF files and the swap are the engine's):
// both layouts are all or nothing — a volume that does not read, a cancel or a failing model
// mid-way leaves the folder byte for byte as it was with no staging folder behind — the
// workbench's probabilities layout keeps the earlier volumes it does not predict again, and a
// folder holding other files is refused, naming the file.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/export/PredictionFolder.h"
#include "engine/infer/FolderPrediction.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;
namespace fs = std::filesystem;

namespace {

// Every file under dir (hidden ones too) with its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) {
      std::ifstream in(e.path(), std::ios::binary);
      files[fs::relative(e.path(), dir).string()] = std::string(std::istreambuf_iterator<char>(in), {});
    }
  return files;
}

// Folders beside `out` whose names start with ".<out>.partial-": staging left behind.
int stagingLeft(const fs::path& out) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(out.parent_path()))
    n += e.path().filename().string().rfind("." + out.filename().string() + ".partial-", 0) == 0;
  return n;
}

VolumeU8 ramp(uint8_t base) {
  VolumeU8 v(Shape3{4, 5, 6});
  for (size_t i = 0; i < v.data.size(); ++i) v.data[i] = uint8_t(base + i % 7);
  return v;
}

// The stand-in network: the image inverted (a probability that differs from the image).
VolumeU8 invert(const VolumeU8& image, ProgressSink*, const CancelToken*) {
  VolumeU8 p = image;
  for (auto& x : p.data) x = uint8_t(255 - x);
  return p;
}

}  // namespace

class TestFolderPrediction : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  fs::path images_;

 private Q_SLOTS:
  void initTestCase() {
    images_ = fs::path(tmp_.path().toStdString()) / "images";
    fs::create_directories(images_);
    writeVolumeU8((images_ / "a.tif").string(), ramp(10));
    writeVolumeU8((images_ / "b.tif").string(), ramp(60));
    writeVolumeU8((images_ / "c.tif").string(), ramp(110));
    std::ofstream((images_ / "broken.tif").string(), std::ios::binary) << "II*\0not a tiff";
  }

  void probabilitiesKeepTheVolumesNotPredictedAgain() {
    const fs::path out = fs::path(tmp_.path().toStdString()) / "run1" / "prob";
    FolderPrediction r;
    r.images = images_.string();
    r.out = out.string();
    r.layout = PredictionLayout::Probabilities;
    r.ids = {"a", "b"};
    QCOMPARE(predictFolder(invert, r), size_t(2));
    const auto first = snapshot(out);
    QCOMPARE(first.size(), size_t(2));  // <id>.tif only: no masks, no manifest
    QVERIFY(readVolumeU8((out / "a.tif").string()).data == invert(ramp(10), nullptr, nullptr).data);

    // b and c again (another "network"): a stays byte for byte, b and c are the new ones; the
    // probabilities are handed over as they are computed.
    std::vector<std::string> handed;
    r.ids = {"b", "c"};
    r.imagePaths = {(images_ / "b.tif").string(), (images_ / "c.tif").string()};
    r.onProbability = [&](const std::string& id, VolumeU8 p) {
      handed.push_back(id);
      QCOMPARE(p.shape, (Shape3{4, 5, 6}));
    };
    predictFolder([](const VolumeU8& image, ProgressSink*, const CancelToken*) { return image; }, r);
    QCOMPARE(handed, (std::vector<std::string>{"b", "c"}));
    const auto second = snapshot(out);
    QCOMPARE(second.size(), size_t(3));
    QCOMPARE(second.at("a.tif"), first.at("a.tif"));
    QVERIFY(second.at("b.tif") != first.at("b.tif"));
    QVERIFY(readVolumeU8((out / "c.tif").string()).data == ramp(110).data);
    QCOMPARE(stagingLeft(out), 0);
  }

  // A failure mid-way, in either layout: the folder as it was, nothing staged left.
  void failureMidwayLeavesTheFolderAsItWas() {
    for (PredictionLayout layout : {PredictionLayout::Probabilities, PredictionLayout::Prediction}) {
      const bool masks = layout == PredictionLayout::Prediction;
      const fs::path out = fs::path(tmp_.path().toStdString()) / (masks ? "pred2" : "run2") / (masks ? "out" : "prob");
      FolderPrediction r;
      r.images = images_.string();
      r.out = out.string();
      r.layout = layout;
      r.ids = {"a", "b"};
      predictFolder(invert, r);
      const auto before = snapshot(out);
      QVERIFY(before.size() >= 2);

      // The second volume does not read (after the first was staged).
      r.ids = {"c", "broken", "a"};
      try {
        predictFolder(invert, r);
        QFAIL("an unreadable volume must fail the prediction");
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("broken.tif") != std::string::npos, e.what());
      }
      QVERIFY(snapshot(out) == before);
      QCOMPARE(stagingLeft(out), 0);

      // The network fails, or is cancelled, at the second volume.
      r.ids = {"c", "b"};
      int calls = 0;
      auto failing = [&](const VolumeU8& image, ProgressSink*, const CancelToken*) {
        if (++calls == 2) throw Error("out of memory on the second volume");
        return image;
      };
      QVERIFY_THROWS_EXCEPTION(Error, predictFolder(failing, r));
      QVERIFY(snapshot(out) == before);
      CancelToken cancel;
      calls = 0;
      auto cancelled = [&](const VolumeU8& image, ProgressSink*, const CancelToken* c) {
        if (++calls == 2) {
          cancel.cancel();
          c->throwIfCancelled();
        }
        return image;
      };
      QVERIFY_THROWS_EXCEPTION(Cancelled, predictFolder(cancelled, r, nullptr, &cancel));
      QVERIFY(snapshot(out) == before);
      QCOMPARE(stagingLeft(out), 0);
    }
  }

  // A probabilities folder holding something else is not replaced: the swap would take it away.
  void foreignFilesAreRefusedNamingThem() {
    const fs::path out = fs::path(tmp_.path().toStdString()) / "run3" / "prob";
    fs::create_directories(out);
    std::ofstream((out / "notes.txt").string()) << "mine";
    FolderPrediction r;
    r.images = images_.string();
    r.out = out.string();
    r.layout = PredictionLayout::Probabilities;
    r.ids = {"a"};
    try {
      predictFolder(invert, r);
      QFAIL("a folder with other files must be refused");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("notes.txt") != std::string::npos, e.what());
    }
    QCOMPARE(snapshot(out).size(), size_t(1));
    QCOMPARE(stagingLeft(out), 0);
  }
};

QTEST_GUILESS_MAIN(TestFolderPrediction)
#include "TestFolderPrediction.moc"

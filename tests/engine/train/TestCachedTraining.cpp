// Training read from the preprocessed chunk cache: exactly the batches of in-memory volumes,
// memory bounded by the chunk budget over many volumes, preprocessing only when needed, and a
// resumed run bit-identical to an uninterrupted one.
#include <QtTest>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "SheetVolumes.h"
#include "TestSupport.h"
#include "TrainRecords.h"
#include "TinyConfig.h"
#include "TrainChecks.h"
#include "engine/io/TiffVolume.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/store/DatasetCache.h"
#include "engine/train/BatchPipeline.h"
#include "engine/train/CachedTrainingSource.h"
#include "engine/trainer/Trainer.h"

namespace fs = std::filesystem;

namespace {

using vwbtest::RecordingSink;

// The volumes in the competition layout (ids 1..n, in the scanner's order).
std::string writeDataset(const QString& dir, const std::vector<vwb::TrainingVolume>& volumes) {
  fs::path root = dir.toStdString();
  fs::create_directories(root / "train_images");
  fs::create_directories(root / "train_labels");
  std::ofstream csv(root / "train.csv");
  csv << "id,scroll_id\n";
  for (size_t i = 0; i < volumes.size(); ++i) {
    std::string id = std::to_string(i + 1);
    vwb::writeVolumeU8((root / "train_images" / (id + ".tif")).string(), volumes[i].image, vwb::TiffCompression::LZW);
    vwb::writeVolumeU8((root / "train_labels" / (id + ".tif")).string(), volumes[i].label, vwb::TiffCompression::LZW);
    csv << id << "," << volumes[i].scrollId << "\n";
  }
  return root.string();
}

vwb::TrainConfig smallConfig(const std::string& data, const QString& runDir) {
  vwb::TrainConfig c = vwbtest::tinyTrainConfig(runDir.toStdString());
  c.run.dataDir = data;
  return c;
}

std::vector<int> allOf(size_t n) {
  std::vector<int> v;
  for (int i = 0; i < int(n); ++i) v.push_back(i);
  return v;
}

}  // namespace

class TestCachedTraining : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();

 private Q_SLOTS:
  void cacheGivesExactlyTheBatchesOfInMemoryVolumes() {
    auto volumes = vwbtest::sheetVolumes(3, 24, 2);
    // Below the cache's 4096-voxel foreground sample, both sources index every label-1 voxel.
    for (auto& v : volumes) QVERIFY(std::count(v.label.data.begin(), v.label.data.end(), uint8_t(1)) < 4096);
    std::string data = writeDataset(tmp_.filePath("same"), volumes);
    vwb::NullLogSink quiet;
    auto cached = vwb::openTrainingSource(smallConfig(data, ""), quiet);
    vwb::MemoryTrainingSource memory(volumes);
    QCOMPARE(cached->volumes().size(), size_t(3));
    vwb::Normalization norm{50, 200, 120, 40};
    vwb::PatchSampler a(memory, allOf(3), norm, 16, 0.5), b(*cached, allOf(3), norm, 16, 0.5);
    for (int64_t step = 0; step < 12; ++step) {
      auto x = vwb::BatchPipeline::make(a, 9, step, 4), y = vwb::BatchPipeline::make(b, 9, step, 4);
      QVERIFY(x->image == y->image);
      QVERIFY(x->label == y->label);
    }
    QVERIFY(cached->imageHistogram(1) == memory.imageHistogram(1));
  }

  void memoryStaysWithinTheChunkBudgetOverManyVolumes() {
    auto volumes = vwbtest::sheetVolumes(60, 24, 3);
    std::string data = writeDataset(tmp_.filePath("many"), volumes);
    vwb::NullLogSink quiet;
    vwb::openTrainingSource(smallConfig(data, ""), quiet);  // preprocesses
    vwb::store::DatasetCache cache(vwb::store::locateCache(data).dir);
    std::vector<vwb::CachedVolumeRef> refs;
    for (size_t i = 0; i < volumes.size(); ++i)
      refs.push_back({std::to_string(i + 1), "1", cache.dataPath("train", std::to_string(i + 1)), {}});
    const int64_t budget = 10 * 24 * 24 * 24;  // ten decoded chunks of the 120 in the dataset
    vwb::CachedTrainingSource source(refs, budget);
    vwb::PatchSampler sampler(source, allOf(60), {}, 16, 0.33);
    vwb::BatchPipelineOptions o;
    o.batchSize = 4;
    o.workers = 3;
    o.endStep = 60;
    vwb::BatchPipeline pipeline(sampler, o);
    int batches = 0;
    while (pipeline.next()) ++batches;
    QCOMPARE(batches, 60);
    QVERIFY2(source.cachePeakBytes() <= budget, qPrintable(QString::number(source.cachePeakBytes())));
    QVERIFY(source.cachePeakBytes() > budget / 2);  // the budget was reached, not avoided
  }

  void preprocessingRunsOnlyWhenTheCacheIsStale() {
    auto volumes = vwbtest::sheetVolumes(3, 24, 1);
    std::string data = writeDataset(tmp_.filePath("stale"), volumes);
    RecordingSink first, second, third;
    vwb::openTrainingSource(smallConfig(data, ""), first);
    QVERIFY2(QString::fromStdString(first.logs).contains("preprocessed 3 volume(s)"), first.logs.c_str());
    vwb::openTrainingSource(smallConfig(data, ""), second);
    QVERIFY2(!QString::fromStdString(second.logs).contains("preprocessed"), second.logs.c_str());
    vwb::writeVolumeU8(data + "/train_images/2.tif", vwbtest::sheetVolume(24, 77, "1").image, vwb::TiffCompression::None);
    vwb::openTrainingSource(smallConfig(data, ""), third);
    QVERIFY2(QString::fromStdString(third.logs).contains("preprocessed 1 volume(s)"), third.logs.c_str());
  }

  void resumedRunFromTheCacheEqualsUninterruptedRun() {
    auto volumes = vwbtest::sheetVolumes(3, 24, 3);
    std::string data = writeDataset(tmp_.filePath("resume"), volumes);
    vwb::CancelToken never;
    vwb::TrainConfig straight = smallConfig(data, tmp_.filePath("straight"));
    RecordingSink s0;
    vwb::runTraining(straight, s0, never);
    vwb::TrainConfig c = smallConfig(data, tmp_.filePath("interrupted"));
    vwb::CancelToken cancel;
    RecordingSink s1(&cancel, 3);
    QCOMPARE(int(vwb::runTraining(c, s1, cancel).outcome), int(vwb::RunOutcome::Stopped));
    c.run.resume = true;
    RecordingSink s2;
    QCOMPARE(int(vwb::runTraining(c, s2, never).outcome), int(vwb::RunOutcome::Finished));
    QCOMPARE(trainchecks::maxWeightDifference(straight.run.dir + "/checkpoints/last.pt", c.run.dir + "/checkpoints/last.pt"),
             0.0);
  }
};

QTEST_GUILESS_MAIN(TestCachedTraining)
#include "TestCachedTraining.moc"

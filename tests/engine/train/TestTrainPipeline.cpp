// The data side of training (torch-free): deterministic batches for any worker count, aligned
// image/label augmentation, foreground oversampling, the validation split, the LR schedule.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <fstream>

#include <set>

#include "SheetVolumes.h"
#include "engine/core/Error.h"
#include "engine/train/BatchPipeline.h"
#include "engine/train/LrSchedule.h"
#include "engine/train/PatchSampler.h"
#include "engine/train/RunLog.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/ValidationSplit.h"

namespace {
std::vector<const vwb::TrainingVolume*> pointers(const std::vector<vwb::TrainingVolume>& v) {
  std::vector<const vwb::TrainingVolume*> p;
  for (const auto& x : v) p.push_back(&x);
  return p;
}
std::vector<std::shared_ptr<vwb::Batch>> drain(const vwb::PatchSampler& sampler, int workers,
                                               int prefetch, int64_t first, int64_t end) {
  vwb::BatchPipelineOptions o;
  o.batchSize = 3;
  o.workers = workers;
  o.prefetch = prefetch;
  o.seed = 42;
  o.firstStep = first;
  o.endStep = end;
  vwb::BatchPipeline pipeline(sampler, o);
  std::vector<std::shared_ptr<vwb::Batch>> out;
  while (auto b = pipeline.next()) out.push_back(b);
  return out;
}
}  // namespace

class TestTrainPipeline : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void sameBatchesForAnyWorkerCount() {
    auto volumes = vwbtest::sheetVolumes(3, 40);
    vwb::PatchSampler sampler(pointers(volumes), vwb::Normalization{50, 200, 120, 40}, 16, 0.33);
    auto reference = drain(sampler, 0, 1, 0, 12);
    QCOMPARE(reference.size(), size_t(12));
    for (int workers : {1, 3, 5}) {
      auto got = drain(sampler, workers, 2, 0, 12);
      QCOMPARE(got.size(), reference.size());
      for (size_t i = 0; i < got.size(); ++i) {
        QCOMPARE(got[i]->step, int64_t(i));
        QVERIFY(got[i]->image == reference[i]->image);
        QVERIFY(got[i]->label == reference[i]->label);
      }
    }
    // A resumed pipeline continues with exactly the batches of the uninterrupted one.
    auto resumed = drain(sampler, 2, 3, 7, 12);
    QCOMPARE(resumed.size(), size_t(5));
    for (size_t i = 0; i < resumed.size(); ++i) QVERIFY(resumed[i]->image == reference[7 + i]->image);
    // Different steps differ.
    QVERIFY(reference[0]->image != reference[1]->image);
  }

  void pipelineStopsCleanlyWhileWorkersWait() {
    auto volumes = vwbtest::sheetVolumes(1, 32);
    vwb::PatchSampler sampler(pointers(volumes), {}, 16, 0.5);
    vwb::BatchPipelineOptions o;
    o.workers = 4;
    o.prefetch = 2;
    o.endStep = 1000000;
    vwb::BatchPipeline pipeline(sampler, o);
    QVERIFY(pipeline.next() != nullptr);
    pipeline.stop();  // workers blocked on the full queue must wake and exit
    QVERIFY(pipeline.next() == nullptr);
  }

  void augmentationKeepsImageAndLabelAligned() {
    // Label 1 exactly where the raw intensity is 200: after any flip/rotation the normalized
    // value at label-1 voxels must be the one of 200 (intensity augmentation and noise off).
    vwb::TrainingVolume v;
    v.image = vwb::VolumeU8({24, 24, 24}, 10);
    v.label = vwb::VolumeU8({24, 24, 24}, 0);
    for (int64_t z = 0; z < 24; ++z)
      for (int64_t y = 0; y < 24; ++y)
        for (int64_t x = 0; x < 24; ++x)
          if ((x * 3 + y * 5 + z * 7) % 11 == 0) v.image.at(z, y, x) = 200, v.label.at(z, y, x) = 1;
    vwb::AugmentOptions aug;
    aug.intensityProbability = 0;
    aug.noiseProbability = 0;
    vwb::Normalization norm{0, 255, 100, 50};
    vwb::PatchSampler sampler({&v}, norm, 16, 0.5, aug);
    std::vector<float> image(16 * 16 * 16);
    std::vector<uint8_t> label(image.size());
    std::set<int> rotations;
    for (uint64_t key = 0; key < 40; ++key) {
      auto spec = sampler.draw(key);
      rotations.insert(spec.rot90 * 8 + spec.flipZ * 4 + spec.flipY * 2 + spec.flipX);
      sampler.extract(spec, image.data(), label.data());
      for (size_t i = 0; i < image.size(); ++i)
        QCOMPARE(image[i] == norm.apply(200), label[i] == 1);
    }
    QVERIFY(rotations.size() > 8);  // the transforms really vary
  }

  void paddingOutsideTheVolumeIsIgnored() {
    vwb::TrainingVolume v;
    v.image = vwb::VolumeU8({8, 20, 20}, 100);
    v.label = vwb::VolumeU8({8, 20, 20}, 1);
    vwb::PatchSampler sampler({&v}, {}, 16, 0.0, vwb::AugmentOptions{false});
    std::vector<float> image(16 * 16 * 16);
    std::vector<uint8_t> label(image.size());
    sampler.sample(3, image.data(), label.data());
    int ignored = 0, inside = 0;
    for (auto l : label) (l == 2 ? ignored : inside) += 1;
    QCOMPARE(inside, 8 * 16 * 16);  // depth 8 of 16 is real, the rest is padding labelled 2
    QCOMPARE(ignored, 8 * 16 * 16);
  }

  void foregroundOversampling() {
    // Sparse foreground (one small blob): about a third of patches must be centred on it.
    vwb::TrainingVolume v;
    v.image = vwb::VolumeU8({64, 64, 64}, 50);
    v.label = vwb::VolumeU8({64, 64, 64}, 0);
    for (int64_t z = 40; z < 43; ++z)
      for (int64_t y = 40; y < 43; ++y)
        for (int64_t x = 40; x < 43; ++x) v.label.at(z, y, x) = 1;
    vwb::PatchSampler sampler({&v}, {}, 16, 0.33, vwb::AugmentOptions{false});
    std::vector<float> image(16 * 16 * 16);
    std::vector<uint8_t> label(image.size());
    int withForeground = 0;
    const int n = 600;
    for (int k = 0; k < n; ++k) {
      sampler.sample(static_cast<uint64_t>(k), image.data(), label.data());
      withForeground += std::count(label.begin(), label.end(), uint8_t(1)) > 0;
    }
    // Uniform sampling alone would hit the blob in ~6% of patches.
    QVERIFY2(withForeground > n * 0.28 && withForeground < n * 0.5,
             qPrintable(QString::number(withForeground)));
  }

  void validationSplitHoldsOutWholeScrolls() {
    std::vector<std::string> scrolls{"a", "a", "b", "b", "c", "c", "d", "d", "e", "e"};
    auto s = vwb::splitValidation(scrolls, 0.2, 7);
    QCOMPARE(s.validation.size(), size_t(2));
    std::set<std::string> trainScrolls, valScrolls;
    for (int i : s.train) trainScrolls.insert(scrolls[i]);
    for (int i : s.validation) valScrolls.insert(scrolls[i]);
    for (const auto& v : valScrolls) QVERIFY(!trainScrolls.count(v));
    // Deterministic for a seed, different for another.
    QCOMPARE(vwb::splitValidation(scrolls, 0.2, 7).validation, s.validation);
    bool differs = false;
    for (uint64_t seed = 8; seed < 20 && !differs; ++seed)
      differs = vwb::splitValidation(scrolls, 0.2, seed).validation != s.validation;
    QVERIFY(differs);
    // One scroll: split by volume. Fraction 0: no validation.
    auto single = vwb::splitValidation(std::vector<std::string>(5, "x"), 0.4, 1);
    QCOMPARE(single.validation.size(), size_t(2));
    QCOMPARE(single.train.size(), size_t(3));
    QVERIFY(vwb::splitValidation(scrolls, 0.0, 1).validation.empty());
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::splitValidation(scrolls, 1.0, 1));
  }

  // split.json names the volumes by id in their roles, as tools that score a run read them.
  // config.json keeps the flat keys of every earlier build while TrainConfig is made of parts
  // (run, optimizer, data, validation, distributed): each key, given a value other than its
  // default, is read into its field and written back from it (a key read into the wrong part, or
  // two swapped, changes the round trip), and the parts hold what the keys said.
  void configJsonKeepsItsKeysAcrossTheParts() {
    const QByteArray written = R"({"format": "vwb-config/1", "data_dir": "/data/vesuvius", "run_dir": "/runs/a",
      "model": {"levels": 4, "base_channels": 8, "max_channels": 64, "norm": "group", "residual": true,
                "arch": "unet", "deep_supervision": true},
      "patch": 96, "batch_per_device": 3, "grad_accumulation": 5, "epochs": 7, "steps_per_epoch": 11,
      "lr": 0.0025, "weight_decay": 0.0003, "warmup_fraction": 0.125, "grad_clip": 2.5,
      "foreground_fraction": 0.4, "augment": "strong", "amp": "bf16", "skeleton_recall": 0.75, "ema": 0.99,
      "optimizer": "sgd", "workers": 6, "prefetch": 9, "threads": 13, "val_fraction": 0.3, "val_crop": 160,
      "val_patches": 24, "val_every": 2, "seed": 42, "strategy": "ddp", "devices": ["cuda:0", "cuda:1"],
      "nnodes": 2, "node_rank": 1, "master": "10.0.0.1:29500", "bind": "0.0.0.0", "timeout_sec": 90,
      "bucket_mb": 12.5, "memory_cap_bytes": 1024, "cache_dir": "/cache", "chunk_cache_mb": 2048,
      "val_max_volumes": 5, "previews_kept": 17, "resume": true})";
    const vwb::TrainConfig c = vwb::TrainConfig::fromJson(written.toStdString());
    const QJsonObject in = QJsonDocument::fromJson(written).object();
    const QJsonObject out = QJsonDocument::fromJson(QByteArray::fromStdString(c.toJson())).object();
    QCOMPARE(out, in);
    QCOMPARE(c.run.dir, std::string("/runs/a"));
    QCOMPARE(c.run.epochs, 7);
    QCOMPARE(c.run.amp, vwb::AmpMode::Bf16);
    QCOMPARE(c.optimizer.kind, vwb::OptimizerKind::Sgd);
    QCOMPARE(c.optimizer.gradAccumulation, 5);
    QCOMPARE(c.data.patch, 96);
    QCOMPARE(c.data.chunkCacheMb, 2048);
    QCOMPARE(c.validation.patches, 24);
    QCOMPARE(c.validation.previewsKept, 17);
    QCOMPARE(c.distributed.devices, (std::vector<std::string>{"cuda:0", "cuda:1"}));
    QCOMPARE(c.distributed.bucketMb, 12.5);
  }

  void splitJsonNamesTheRoles() {
    const std::vector<std::string> ids{"v0", "v1", "v2", "v3", "v4"};
    const auto split = vwb::splitValidation(std::vector<std::string>(5, "x"), 0.4, 1);
    const QJsonObject j = QJsonDocument::fromJson(QByteArray::fromStdString(vwb::splitToJson(ids, split))).object();
    QCOMPARE(j.value("train").toArray().size(), int(split.train.size()));
    QCOMPARE(j.value("validation").toArray().size(), int(split.validation.size()));
    for (int k = 0; k < int(split.validation.size()); ++k)
      QCOMPARE(j.value("validation").toArray().at(k).toString().toStdString(), ids[split.validation[k]]);
    QCOMPARE(j.value("reason").toString().toStdString(), split.reason);
    QCOMPARE(j.value("format").toString(), QString("vwb-split/1"));
    // The one codec reads it back; splits from before the tag still load; another format, or a
    // split without its lists, is refused naming the file.
    const vwb::RecordedSplit back = vwb::splitFromJson(vwb::splitToJson(ids, split));
    QCOMPARE(back.validation.size(), split.validation.size());
    QCOMPARE(back.train.front(), ids[split.train.front()]);
    QCOMPARE(back.reason, split.reason);
    const vwb::RecordedSplit older = vwb::splitFromJson(R"({"train": ["a"], "validation": ["b", "c"], "reason": "r"})");
    QCOMPARE(older.validation, (std::vector<std::string>{"b", "c"}));
    QTemporaryDir dir;
    for (const char* bad : {R"({"format": "vwb-split/2", "train": [], "validation": []})", R"({"train": ["a"]})"}) {
      const std::string path = dir.filePath("split.json").toStdString();
      { std::ofstream(path) << bad; }
      try {
        vwb::readSplitFile(path);
        QFAIL(bad);
      } catch (const vwb::Error& e) {
        QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
      }
    }
  }

  // A resume redoes the steps after its checkpoint: their metric lines (and a line cut short by
  // a kill) leave metrics.jsonl, node 0's log keeps its history, other nodes write no metrics.
  void resumeDropsTheMetricsOfRedoneSteps() {
    QTemporaryDir dir;
    QFile f(dir.filePath("metrics.jsonl"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    for (int s = 1; s <= 7; ++s) f.write(QString("{\"type\":\"step\",\"step\":%1}\n").arg(s).toUtf8());
    f.write("{\"type\":\"epoch\",\"epoch\":1,\"step\":5}\n{\"type\":\"st");  // killed mid-line
    f.close();
    {
      vwb::RunLog log(dir.path().toStdString(), nullptr);
      QCOMPARE(log.dropMetricsAfter(5), 3);  // steps 6, 7 and the cut line
      log.metric("{\"type\":\"step\",\"step\":6}");
      QCOMPARE(log.dropMetricsAfter(6), 0);
    }
    QVERIFY(f.open(QIODevice::ReadOnly));
    QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    f.close();
    QCOMPARE(lines.size(), 7);
    QVERIFY(lines[4].contains("\"step\":5"));
    QVERIFY(lines[5].contains("\"epoch\":1"));
    QVERIFY(lines[6].contains("\"step\":6"));

    QTemporaryDir nodeDir;
    {
      vwb::RunLog other(nodeDir.path().toStdString(), nullptr, 1);
      other.metric("{\"type\":\"step\",\"step\":99}");
      other.log(vwb::LogLevel::Info, "node 1 here");
    }
    QVERIFY(QFile::exists(nodeDir.filePath("nodes/node-1/training.log")));
    QVERIFY(!QFile::exists(nodeDir.filePath("metrics.jsonl")));
    QVERIFY(!QFile::exists(nodeDir.filePath("logs/training.log")));
  }

  void learningRateWarmsUpThenDecays() {
    QCOMPARE(vwb::learningRate(1.0, 0, 100, 0.1), 0.1);
    QCOMPARE(vwb::learningRate(1.0, 9, 100, 0.1), 1.0);
    QVERIFY(std::abs(vwb::learningRate(1.0, 55, 100, 0.1) - 0.5) < 1e-12);  // cosine midpoint
    QVERIFY(vwb::learningRate(1.0, 99, 100, 0.1) < 0.001);
    QCOMPARE(vwb::learningRate(2.0, 0, 10, 0.0), 2.0);
  }
};

QTEST_APPLESS_MAIN(TestTrainPipeline)
#include "TestTrainPipeline.moc"

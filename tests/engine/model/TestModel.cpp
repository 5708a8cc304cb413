// UNet3D: architecture (checked against the analytic parameter count the planner uses), seeded
// initialisation, memory estimate, normalization and model-config JSON.
#include <QtTest>

#include "ModelChecks.h"
#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/model/ModelConfigJson.h"
#include "engine/model/ModelMemory.h"
#include "engine/model/ModelPresets.h"
#include "engine/model/Normalization.h"

class TestModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parameterCountMatchesTheNetwork() {
    for (auto norm : {vwb::NormKind::Instance, vwb::NormKind::Batch, vwb::NormKind::Group})
      for (bool residual : {false, true}) {
        vwb::ModelConfig m;
        m.levels = 3;
        m.baseChannels = 6;
        m.maxChannels = 16;  // the cap is reached at level 2 (6, 12, 16)
        m.norm = norm;
        m.residual = residual;
        QCOMPARE(modelchecks::torchParameterCount(m), vwb::parameterCount(m));
      }
    vwb::ModelConfig standard;  // 4 levels, base 16: 16, 32, 64, 128
    QCOMPARE(vwb::levelChannels(standard, 3), int64_t(128));
    QCOMPARE(modelchecks::torchParameterCount(standard), vwb::parameterCount(standard));
  }

  void oneLogitPerVoxel() {
    vwb::ModelConfig m;
    m.levels = 3;
    m.baseChannels = 4;
    QCOMPARE(modelchecks::outputShape(m, 16, 2), std::string("2x1x16x16x16"));
    m.norm = vwb::NormKind::Group;
    m.residual = true;
    QCOMPARE(modelchecks::outputShape(m, 8, 1), std::string("1x1x8x8x8"));
  }

  void initialisationFollowsTheSeed() {
    vwb::ModelConfig m;
    m.levels = 2;
    m.baseChannels = 4;
    QCOMPARE(modelchecks::initDifference(m, 7, 7), 0.0);
    QVERIFY(modelchecks::initDifference(m, 7, 8) > 0.01);
    QVERIFY(modelchecks::cloneMatches(m));
  }

  void activationEstimateScales() {
    vwb::ModelConfig m;
    vwb::Shape3 p64{64, 64, 64}, p128{128, 128, 128};
    auto one = vwb::estimateActivationBytes(m, p64, 1, vwb::ActivationDType::F32);
    QCOMPARE(vwb::estimateActivationBytes(m, p64, 4, vwb::ActivationDType::F32), 4 * one);
    auto big = vwb::estimateActivationBytes(m, p128, 1, vwb::ActivationDType::F32);
    QVERIFY(big > 7 * one && big <= 8 * one);
    auto half = vwb::estimateActivationBytes(m, p64, 1, vwb::ActivationDType::F16);
    QVERIFY(half < one && half > one / 2);  // pooling indices stay int64
    // Sanity of magnitude: patch 64, base 16, batch 2 keeps a few hundred MiB for backward.
    auto two = vwb::estimateActivationBytes(m, p64, 2, vwb::ActivationDType::F32);
    QVERIFY(two > (200ll << 20) && two < (2000ll << 20));
    QVERIFY(vwb::estimateTrainingBytes(m, p64, 2, vwb::ActivationDType::F32) > two);
  }

  void normalizationClipsAndStandardizes() {
    std::array<int64_t, 256> h{};
    h[0] = 1;      // an outlier below the 0.5 percentile
    h[100] = 498;
    h[200] = 500;
    h[255] = 1;    // and one above the 99.5 percentile
    auto n = vwb::normalizationFromHistogram(h);
    QCOMPARE(n.clipLow, 100.0);
    QCOMPARE(n.clipHigh, 200.0);
    // The two outliers are clipped to 100 and 200 before the moments: 499 voxels at 100 and 501
    // at 200 give mean 150.1 and std 49.99999; pure double arithmetic, the same on every CPU.
    QVERIFY(std::abs(n.mean - 150.0) < 0.2);
    QVERIFY(std::abs(n.std - 50.0) < 0.2);
    QCOMPARE(n.tableU8()[0], n.apply(100));
    auto back = vwb::Normalization::fromJson(n.toJson());
    QCOMPARE(back.mean, n.mean);
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::Normalization::fromJson("{\"mean\": 1}"));
  }

  void modelConfigJsonRoundTrip() {
    vwb::ModelConfig m;
    m.levels = 5;
    m.baseChannels = 24;
    m.maxChannels = 256;
    m.norm = vwb::NormKind::Batch;
    m.residual = true;
    auto back = vwb::modelConfigFromJson(vwb::modelConfigToJson(m));
    QCOMPARE(back.levels, 5);
    QCOMPARE(back.baseChannels, 24);
    QCOMPARE(back.maxChannels, 256);
    QCOMPARE(int(back.norm), int(vwb::NormKind::Batch));
    QVERIFY(back.residual);
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::modelConfigFromJson({{"norm", "layer"}}));
  }

  void olderConfigsWithoutArchAreUNets() {
    auto back = vwb::modelConfigFromJson({{"levels", 4}, {"base_channels", 16}});
    QCOMPARE(int(back.arch), int(vwb::ArchKind::UNet));
    QVERIFY(!back.deepSupervision);
    vwb::ModelConfig m;
    m.arch = vwb::ArchKind::ResEncXL;
    m.deepSupervision = true;
    back = vwb::modelConfigFromJson(vwb::modelConfigToJson(m));
    QCOMPARE(int(back.arch), int(vwb::ArchKind::ResEncXL));
    QVERIFY(back.deepSupervision);
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::modelConfigFromJson({{"arch", "resenc-s"}}));
  }

  // nnU-Net's rule: stride-2 stages while the deepest map keeps >= 4 voxels, at most 6 stages.
  void resEncStagesFollowThePatch() {
    QCOMPARE(vwb::resEncStagesForPatch(32), 4);   // 32 16 8 4
    QCOMPARE(vwb::resEncStagesForPatch(48), 4);   // 48 24 12 6 (3 would be too small)
    QCOMPARE(vwb::resEncStagesForPatch(64), 5);
    QCOMPARE(vwb::resEncStagesForPatch(128), 6);
    QCOMPARE(vwb::resEncStagesForPatch(256), 6);  // capped: blocks 1-3-4-6-6-6
    QCOMPARE(vwb::resEncStagesForPatch(96), 5);   // 96 48 24 12 6
    vwb::ModelConfig base;
    base.arch = vwb::ArchKind::ResEncM;
    auto m = vwb::modelForPatch(base, 64);
    QCOMPARE(m.levels, 5);
    QCOMPARE(vwb::levelChannels(m, 0), int64_t(32));
    QCOMPARE(vwb::levelChannels(m, 4), int64_t(320));  // min(32 * 16, 320)
    QCOMPARE(vwb::resEncBlocks(0) + vwb::resEncBlocks(1) + vwb::resEncBlocks(5), 1 + 3 + 6);
    // M, L and XL are one shape; only their planning targets differ.
    base.arch = vwb::ArchKind::ResEncXL;
    QCOMPARE(vwb::parameterCount(vwb::modelForPatch(base, 64)), vwb::parameterCount(m));
    QVERIFY(vwb::archMemoryTargetBytes(vwb::ArchKind::ResEncXL) >
            vwb::archMemoryTargetBytes(vwb::ArchKind::ResEncM));
    vwb::ModelConfig plain;
    QCOMPARE(vwb::modelForPatch(plain, 64).levels, plain.levels);  // the U-Net is left alone
  }

  void resEncMatchesItsAnalyticCount() {
    vwb::ModelConfig base;
    base.arch = vwb::ArchKind::ResEncL;
    for (bool ds : {false, true}) {
      base.deepSupervision = ds;
      auto m = vwb::modelForPatch(base, 32);
      QCOMPARE(modelchecks::torchParameterCount(m), vwb::parameterCount(m));
      QCOMPARE(modelchecks::outputShape(m, 32, 2), std::string("2x1x32x32x32"));
    }
    vwb::ModelConfig plain;
    plain.deepSupervision = true;
    QCOMPARE(modelchecks::torchParameterCount(plain), vwb::parameterCount(plain));
    QVERIFY(vwb::parameterCount(plain) > vwb::parameterCount(vwb::ModelConfig{}));
    // A 6-stage ResEnc counted without building it: nnU-Net's ResEnc is ~100 M parameters.
    auto six = vwb::modelForPatch(base, 128);
    QVERIFY(vwb::parameterCount(six) > 50'000'000 && vwb::parameterCount(six) < 200'000'000);
  }

  void deepSupervisionGivesEveryDecoderLevel() {
    vwb::ModelConfig plain;  // 4 levels: decoder outputs at 1, 1/2, 1/4
    plain.deepSupervision = true;
    auto shapes = modelchecks::levelShapes(plain, 16);
    QCOMPARE(shapes.size(), size_t(3));
    QCOMPARE(shapes[0], std::string("1x1x16x16x16"));
    QCOMPARE(shapes[2], std::string("1x1x4x4x4"));
    vwb::ModelConfig res;
    res.arch = vwb::ArchKind::ResEncM;
    res.deepSupervision = true;
    shapes = modelchecks::levelShapes(vwb::modelForPatch(res, 32), 32);
    QCOMPARE(shapes.size(), size_t(3));
    QCOMPARE(shapes[1], std::string("1x1x16x16x16"));
    plain.deepSupervision = false;
    QCOMPARE(modelchecks::levelShapes(plain, 16).size(), size_t(1));
  }

  void resEncInitClonesAndCheckpoints() {
    vwb::ModelConfig base;
    base.arch = vwb::ArchKind::ResEncM;
    auto m = vwb::modelForPatch(base, 32);
    QCOMPARE(modelchecks::initDifference(m, 7, 7), 0.0);
    QVERIFY(modelchecks::initDifference(m, 7, 8) > 0.01);
    QVERIFY(modelchecks::cloneMatches(m));
    auto dir = vwbtest::scratchDir();
    QVERIFY(modelchecks::checkpointRoundTrip(m, 32, dir.filePath("resenc.pt").toStdString()));
    vwb::ModelConfig plain;
    plain.deepSupervision = true;
    QVERIFY(modelchecks::checkpointRoundTrip(plain, 16, dir.filePath("plain.pt").toStdString()));
    // Too small for the stages it has: a clear error instead of a 2^3 bottleneck.
    QVERIFY(!modelchecks::patchFits(m, 16));
    QVERIFY(modelchecks::patchFits(m, 32));
  }

  void notACheckpointNamesTheFile() {
    auto dir = vwbtest::scratchDir();
    QString path = dir.path() + "/junk.pt";
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a zip archive");
    f.close();
    try {
      vwb::readCheckpointInfo(path.toStdString());
      QFAIL("no error");
    } catch (const vwb::Error& e) {
      QVERIFY(std::string(e.what()).find("junk.pt") != std::string::npos);
    }
  }
};

QTEST_APPLESS_MAIN(TestModel)
#include "TestModel.moc"

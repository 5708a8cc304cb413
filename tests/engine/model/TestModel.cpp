// UNet3D: architecture (checked against the analytic parameter count the planner uses), seeded
// initialisation, memory estimate, normalization and model-config JSON.
#include <QtTest>

#include "ModelChecks.h"
#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/model/ModelConfigJson.h"
#include "engine/model/ModelMemory.h"
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

// The Predictor with a real (tiny, untrained) checkpoint: the sliding window must reproduce the
// network's own output, and vwb predict must write masks that vwb export accepts.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <random>

#include "TestSupport.h"
#include "TinyCheckpoint.h"
#include "engine/core/Error.h"
#include "engine/infer/Predictor.h"
#include "engine/infer/SlidingWindowPredictor.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

namespace {

VolumeU8 randomImage(Shape3 s, unsigned seed) {
  std::mt19937 rng(seed);
  VolumeU8 v(s);
  for (auto& x : v.data) x = static_cast<uint8_t>(rng() % 256);
  return v;
}

}  // namespace

class TestPredictor : public QObject {
  Q_OBJECT
  QTemporaryDir dir_ = vwbtest::scratchDir();
  std::string checkpoint_;

 private Q_SLOTS:
  void initTestCase() {
    checkpoint_ = dir_.path().toStdString() + "/tiny.pt";
    vwbtest::writeTinyCheckpoint(checkpoint_, 16, 5);
  }

  void oneWindowEqualsTheNetwork() {
    PredictOptions o;
    o.threads = 1;
    Predictor predictor(checkpoint_, o);
    QCOMPARE(predictor.patch(), (Shape3{16, 16, 16}));
    const VolumeU8 image = randomImage(Shape3{16, 16, 16}, 1);
    const VolumeU8 prob = predictor.predict(image);
    const std::vector<float> direct = vwbtest::directProbabilities(checkpoint_, image);
    int worst = 0;
    for (size_t i = 0; i < direct.size(); ++i)
      worst = std::max(worst, std::abs(int(prob.data[i]) - int(std::lround(direct[i] * 255))));
    // The Predictor and the direct forward pass run the same convolutions on the same tile,
    // but may pick different oneDNN kernels (batch, padding): float differences far below
    // 1/255 can still flip one rounding of p*255 to uint8, hence 1 level, never more.
    QVERIFY2(worst <= 1, qPrintable(QString::number(worst)));
  }

  void largerVolumesAndTta() {
    PredictOptions o;
    o.tta = Tta::Full;
    o.batch = 4;
    o.devices = {"cpu", "cpu"};  // two replicas sharing the tiles
    Predictor predictor(checkpoint_, o);
    const VolumeU8 image = randomImage(Shape3{20, 24, 11}, 2);
    const VolumeU8 a = predictor.predict(image), b = predictor.predict(image);
    QCOMPARE(a.shape, image.shape);
    int maxDiff = 0;
    for (size_t i = 0; i < a.size(); ++i) maxDiff = std::max(maxDiff, std::abs(int(a.data[i]) - int(b.data[i])));
    QVERIFY(maxDiff <= 1);  // thread order only changes float rounding
  }

  // Two worker threads sharing one model replica (a GPU's default: one's host work overlaps the
  // other's forward pass) give the one-worker probabilities, and the predictor says what the
  // volume cost: every window evaluated once, the network's seconds, the share outside it.
  void workersShareAReplicaAndTheCostIsReported() {
    PredictOptions one, two;
    one.threads = two.threads = 1;
    one.workersPerDevice = 1;
    two.workersPerDevice = 2;
    Predictor a(checkpoint_, one), b(checkpoint_, two);
    const VolumeU8 image = randomImage(Shape3{40, 36, 30}, 7);
    const VolumeU8 pa = a.predict(image), pb = b.predict(image);
    int worst = 0;
    for (size_t i = 0; i < pa.size(); ++i) worst = std::max(worst, std::abs(int(pa.data[i]) - int(pb.data[i])));
    QVERIFY2(worst <= 1, qPrintable(QString::number(worst)));  // blending order only changes float rounding
    SlidingWindowOptions sw;
    const int64_t windows = SlidingWindowPredictor(a.patch(), sw).evaluations(image.shape);
    QVERIFY(windows > 8);
    for (const Predictor* p : {&a, &b}) {
      const PredictTiming t = p->lastTiming();
      QCOMPARE(t.evaluations, windows);
      QVERIFY(t.networkSeconds > 0);
      // Each worker's time in the network lies within the call.
      QVERIFY(t.networkSeconds / t.workers <= t.seconds);
      QVERIFY(t.outsideNetworkShare() >= 0 && t.outsideNetworkShare() < 1);
      QVERIFY(t.evaluationsPerSecond() > 0);
    }
    QCOMPARE(a.lastTiming().workers, 1);
    QCOMPARE(b.lastTiming().workers, 2);
  }

  // A build that cannot ask CUDA (the Kaggle kit's library) is told each GPU's compute capability
  // and picks what vwb predict picks: fp16 on a T4 (sm75), fp32 on a P100 (sm60), bf16 on sm80.
  void knownComputeCapabilityPicksThePrecision() {
    QCOMPARE(vwbtest::autoPrecisionWithCapability("cuda:0", 7, 5), std::string("fp16"));
    QCOMPARE(vwbtest::autoPrecisionWithCapability("cuda:1", 6, 0), std::string("fp32"));
    QCOMPARE(vwbtest::autoPrecisionWithCapability("cuda:0", 8, 0), std::string("bf16"));
    QCOMPARE(vwbtest::autoPrecisionWithCapability("cpu", 7, 5), std::string("fp32"));  // a CPU has none
  }

  void badCheckpointNamesTheFile() {
    const std::string junk = dir_.path().toStdString() + "/junk.pt";
    std::ofstream(junk) << "not a checkpoint";
    try {
      Predictor p(junk, {});
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find(junk) != std::string::npos, e.what());
    }
    PredictOptions bad;
    bad.devices = {"quantum:0"};
    QVERIFY_THROWS_EXCEPTION(Error, Predictor(checkpoint_, bad));
  }

  // The forward pass's precision: auto is fp32 on the CPU, so a CPU prediction is the same
  // whatever --amp auto/off says (bit for bit: the same kernels run); a mode the CPU cannot run
  // fast is refused when the predictor is made, before any volume, with what to use instead.
  void precisionOnTheCpu() {
    PredictOptions automatic, off;
    automatic.threads = off.threads = 1;
    off.amp = AmpMode::Off;
    Predictor a(checkpoint_, automatic), b(checkpoint_, off);
    QVERIFY2(QString::fromStdString(a.precisionNote()).startsWith("cpu: CPU: fp32"), a.precisionNote().c_str());
    const VolumeU8 image = randomImage(Shape3{20, 18, 17}, 4);
    QVERIFY(a.predict(image).data == b.predict(image).data);
    PredictOptions fp16;
    fp16.amp = AmpMode::Fp16;
    try {
      Predictor p(checkpoint_, fp16);
      QFAIL("fp16 on the CPU was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("needs a CUDA device") != std::string::npos, e.what());
    }
    const std::string root = dir_.path().toStdString();
    std::filesystem::create_directories(root + "/amp_images");
    writeVolumeU8(root + "/amp_images/1.tif", image);
    const auto r = vwbtest::run(vwbtest::vwbExe(), {"predict", "--checkpoint", QString::fromStdString(checkpoint_),
                                                    "--images", dir_.path() + "/amp_images", "--out",
                                                    dir_.path() + "/amp_pred", "--amp", "fp16"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--amp fp16 needs a CUDA device"), qPrintable(r.err));
    QVERIFY(!std::filesystem::exists(root + "/amp_pred"));  // refused before anything was written
  }

  void cliPredictThenExport() {
    const std::string root = dir_.path().toStdString();
    std::filesystem::create_directories(root + "/test_images");
    writeVolumeU8(root + "/test_images/9.tif", randomImage(Shape3{18, 20, 16}, 3));
    const auto r = vwbtest::run(vwbtest::vwbExe(), {"predict", "--checkpoint", QString::fromStdString(checkpoint_),
                                                    "--images", dir_.path() + "/test_images", "--out",
                                                    dir_.path() + "/pred", "--tta", "flips", "--threshold", "0.5"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const VolumeU8 mask = readVolumeU8(root + "/pred/9.tif"), prob = readVolumeU8(root + "/pred/prob/9.tif");
    QCOMPARE(mask.shape, (Shape3{18, 20, 16}));
    for (size_t i = 0; i < mask.size(); ++i) QCOMPARE(mask.data[i], uint8_t(prob.data[i] >= 127.5));
    const auto e = vwbtest::run(vwbtest::vwbExe(), {"export", "--pred", dir_.path() + "/pred", "--images",
                                                    dir_.path() + "/test_images", "--out", dir_.path() + "/s.zip"});
    QVERIFY2(e.exitCode == 0, qPrintable(e.err));
  }
};

QTEST_APPLESS_MAIN(TestPredictor)
#include "TestPredictor.moc"

// EnsemblePredictor (vwb predict --checkpoint A B --weights ...): weighted averages of the
// models' probabilities, models of different patch sizes together, bad weights refused.
#include <QtTest>

#include <cmath>
#include <random>

#include "TestSupport.h"
#include "TinyCheckpoint.h"
#include "engine/core/Error.h"
#include "engine/infer/EnsemblePredictor.h"

namespace {
vwb::VolumeU8 randomImage(vwb::Shape3 s, unsigned seed) {
  std::mt19937 rng(seed);
  vwb::VolumeU8 v(s);
  for (auto& x : v.data) x = static_cast<uint8_t>(rng() % 256);
  return v;
}
}  // namespace

class TestEnsemble : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void weightedAverageOfTheModels() {
    auto dir = vwbtest::scratchDir();
    const std::string a = dir.filePath("a.pt").toStdString(), b = dir.filePath("b.pt").toStdString();
    vwbtest::writeTinyCheckpoint(a, 16, 5);
    vwbtest::writeTinyCheckpoint(b, 8, 9);  // another patch size: its own sliding window
    vwb::PredictOptions o;
    o.threads = 1;
    const auto image = randomImage({20, 18, 17}, 3);
    const auto pa = vwb::Predictor(a, o).predict(image), pb = vwb::Predictor(b, o).predict(image);
    vwb::EnsemblePredictor ensemble({a, b}, {3, 1}, o);
    QCOMPARE(ensemble.weights(), (std::vector<double>{0.75, 0.25}));
    const auto pe = ensemble.predict(image);
    int worst = 0, differ = 0;
    for (size_t i = 0; i < pe.size(); ++i) {
      long want = std::lround(0.75 * pa.data[i] + 0.25 * pb.data[i]);
      worst = std::max<int>(worst, std::abs(int(pe.data[i]) - int(want)));
      differ += pa.data[i] != pb.data[i];
    }
    QVERIFY(differ > int(pe.size()) / 2);  // the two models really disagree
    // 1/255: each run is deterministic on one thread; 1 covers a tie rounding either way.
    QVERIFY2(worst <= 1, qPrintable(QString::number(worst)));
    // One checkpoint is the plain predictor.
    QCOMPARE(vwb::EnsemblePredictor({a}, {}, o).predict(image).data, pa.data);
  }

  void badWeightsAreRefused() {
    auto dir = vwbtest::scratchDir();
    const std::string a = dir.filePath("a.pt").toStdString();
    vwbtest::writeTinyCheckpoint(a, 16, 5);
    vwb::PredictOptions o;
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::EnsemblePredictor({a, a}, {1}, o));
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::EnsemblePredictor({a, a}, {1, 0}, o));
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::EnsemblePredictor({}, {}, o));
  }
};

QTEST_GUILESS_MAIN(TestEnsemble)
#include "TestEnsemble.moc"

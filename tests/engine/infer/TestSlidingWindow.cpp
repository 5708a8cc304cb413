// The sliding-window machinery without a network: analytic "models" whose right output is
// known, so that window placement, blending and TTA inversion are checked exactly.
#include <QtTest>

#include <atomic>
#include <cmath>
#include <random>
#include <set>

#include "engine/core/Error.h"
#include "engine/infer/SlidingWindow.h"
#include "engine/infer/SlidingWindowPredictor.h"
#include "engine/infer/TestTimeAugmentation.h"

using namespace vwb;

namespace {

VolumeF32 randomVolume(Shape3 s, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-3, 3);
  VolumeF32 v(s);
  for (float& x : v.data) x = u(rng);
  return v;
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// logits = the input: the prediction must reproduce sigmoid(input) whatever the windows and TTA.
TileModel identityModel(Shape3 patch) {
  return [patch](const float* in, int64_t n, float* out) { std::copy_n(in, n * patch.voxels(), out); };
}

float maxDifferenceToSigmoid(const VolumeF32& prob, const VolumeF32& image) {
  float worst = 0;
  for (size_t i = 0; i < prob.size(); ++i) worst = std::max(worst, std::abs(prob.data[i] - sigmoid(image.data[i])));
  return worst;
}

}  // namespace

class TestSlidingWindow : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void windowStartsByHand() {
    QCOMPARE(windowStarts(10, 4, 0.5), (std::vector<int64_t>{0, 2, 4, 6}));
    QCOMPARE(windowStarts(11, 4, 0.5), (std::vector<int64_t>{0, 2, 4, 5, 7}));
    QCOMPARE(windowStarts(4, 4, 0.5), (std::vector<int64_t>{0}));
    QCOMPARE(windowStarts(3, 8, 0.5), (std::vector<int64_t>{0}));
    QCOMPARE(windowStarts(12, 4, 0.0), (std::vector<int64_t>{0, 4, 8}));
    QVERIFY_THROWS_EXCEPTION(Error, windowStarts(10, 4, 1.0));
    QVERIFY_THROWS_EXCEPTION(Error, windowStarts(10, 4, -0.1));
  }

  void windowsCoverEveryVoxelAndTouchTheEdge() {
    for (int64_t size = 1; size < 70; ++size)
      for (int64_t patch : {1, 3, 8, 16})
        for (double overlap : {0.0, 0.25, 0.5, 0.75, 0.9}) {
          const auto s = windowStarts(size, patch, overlap);
          const int64_t step = std::max<int64_t>(1, int64_t(std::floor(patch * (1 - overlap))));
          QCOMPARE(s.front(), int64_t(0));
          QCOMPARE(s.back(), std::max<int64_t>(0, size - patch));  // the last window ends at the edge
          for (size_t i = 1; i < s.size(); ++i) QVERIFY(s[i] > s[i - 1] && s[i] - s[i - 1] <= step);
        }
  }

  void gaussianWeights() {
    const Shape3 p{16, 16, 16};
    const auto w = gaussianImportance(p);
    float smallest = 1, largest = 0;
    for (float v : w) smallest = std::min(smallest, v), largest = std::max(largest, v);
    QVERIFY(smallest > 0);
    QCOMPARE(largest, 1.0f);  // the four central voxels
    // sigma = 16/8 = 2 along x, through the centre plane: w(x)/w(7) = exp(-((x-7.5)^2-0.25)/8).
    const size_t row = static_cast<size_t>((7 * 16 + 7) * 16);
    for (int x = 0; x < 16; ++x) {
      const double expected = std::exp(-((x - 7.5) * (x - 7.5) - 0.25) / 8.0);
      // float32 Gaussian weights (6e-8 relative each) against double: the ratio of two float
      // exponentials of arguments < 8 is good to ~1e-6; 1e-5 leaves 10x.
      QVERIFY(std::abs(w[row + x] / w[row + 7] - expected) < 1e-5);
    }
    QCOMPARE(w[0], w[w.size() - 1]);  // symmetric
  }

  void ttaTransformsAreDistinctAndInvertible() {
    const Shape3 p{3, 4, 4};
    std::vector<float> x(static_cast<size_t>(p.voxels()));
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
    for (Tta tta : {Tta::None, Tta::Flips, Tta::Full}) {
      const auto ts = ttaTransforms(tta, p);
      QCOMPARE(ts.size(), size_t(tta == Tta::None ? 1 : tta == Tta::Flips ? 8 : 16));
      std::set<std::vector<float>> seen;
      for (const auto& t : ts) {
        std::vector<float> y(x.size()), back(x.size());
        applyTransform(t, x.data(), y.data(), p);
        applyInverse(t, y.data(), back.data(), p);
        QCOMPARE(back, x);
        seen.insert(y);
      }
      QCOMPARE(seen.size(), ts.size());  // no duplicate work
    }
    QCOMPARE(ttaTransforms(Tta::Full, Shape3{4, 4, 6}).size(), size_t(8));  // cannot rotate: flips
  }

  void quarterTurnIsNumpyRot90() {
    // np.rot90([[a, b], [c, d]]) == [[b, d], [a, c]]
    const float in[4] = {1, 2, 3, 4};
    float out[4];
    applyTransform(TtaTransform{false, false, false, 1}, in, out, Shape3{1, 2, 2});
    QCOMPARE(std::vector<float>(out, out + 4), (std::vector<float>{2, 4, 1, 3}));
  }

  void constantFieldReconstructedExactly() {
    const Shape3 patch{8, 8, 8};
    SlidingWindowOptions o;
    o.tta = Tta::Full;
    const VolumeF32 image(Shape3{13, 17, 9}, 0.7f);
    const VolumeF32 p = SlidingWindowPredictor(patch, o).predict(image, {identityModel(patch)});
    QCOMPARE(p.shape, image.shape);
    // Float sums of up to 16 variants x 8 windows: exact to float rounding (1e-5 = 0.003/255).
    QVERIFY2(maxDifferenceToSigmoid(p, image) < 1e-5, qPrintable(QString::number(maxDifferenceToSigmoid(p, image))));
  }

  void identityModelReproducesInputWithEveryTta() {
    const Shape3 patch{8, 8, 8};
    const VolumeF32 image = randomVolume(Shape3{19, 12, 21}, 7);
    for (Tta tta : {Tta::None, Tta::Flips, Tta::Full})
      for (TtaAverage avg : {TtaAverage::Probability, TtaAverage::Logit}) {
        SlidingWindowOptions o;
        o.tta = tta, o.average = avg, o.batch = 3;
        // Two "devices": two worker threads share the tiles.
        const VolumeF32 p = SlidingWindowPredictor(patch, o).predict(image, {identityModel(patch), identityModel(patch)});
        QVERIFY2(maxDifferenceToSigmoid(p, image) < 1e-5, qPrintable(QString("tta %1").arg(int(tta))));
      }
  }

  void flipsCancelAnAntisymmetricBias() {
    // logit = input + (x - centre): not flip-equivariant. Averaged over x flips (in logit space),
    // the bias cancels exactly; without TTA it does not.
    const Shape3 patch{4, 4, 4};
    TileModel biased = [patch](const float* in, int64_t n, float* out) {
      for (int64_t i = 0; i < n * patch.voxels(); ++i) out[i] = in[i] + float(i % patch.w) - 1.5f;
    };
    const VolumeF32 image = randomVolume(Shape3{6, 7, 9}, 3);
    SlidingWindowOptions o;
    o.average = TtaAverage::Logit;
    o.tta = Tta::Flips;
    QVERIFY(maxDifferenceToSigmoid(SlidingWindowPredictor(patch, o).predict(image, {biased}), image) < 1e-5);
    o.tta = Tta::None;
    QVERIFY(maxDifferenceToSigmoid(SlidingWindowPredictor(patch, o).predict(image, {biased}), image) > 0.05);
  }

  void smallVolumeIsPaddedAndCropped() {
    const Shape3 patch{8, 8, 8};
    const VolumeF32 image = randomVolume(Shape3{3, 4, 5}, 1);
    const VolumeF32 p = SlidingWindowPredictor(patch, {}).predict(image, {identityModel(patch)});
    QCOMPARE(p.shape, image.shape);
    QVERIFY(maxDifferenceToSigmoid(p, image) < 1e-6);  // one window: sigmoid of the input, float rounding only
  }

  void batchesAndEvaluationCount() {
    const Shape3 patch{4, 4, 4};
    SlidingWindowOptions o;
    o.batch = 3;
    o.tta = Tta::Flips;
    const SlidingWindowPredictor swp(patch, o);
    std::atomic<int64_t> patches{0};
    TileModel counting = [&](const float* in, int64_t n, float* out) {
      QVERIFY(n >= 1 && n <= 3);
      patches += n;
      std::copy_n(in, n * patch.voxels(), out);
    };
    const Shape3 shape{10, 6, 4};  // windows: 4 x 2 x 1
    swp.predict(VolumeF32(shape, 0.f), {counting});
    QCOMPARE(patches.load(), int64_t(4 * 2 * 1 * 8));
    QCOMPARE(swp.evaluations(shape), patches.load());
  }

  void failuresAndCancellationPropagate() {
    const Shape3 patch{4, 4, 4};
    TileModel failing = [](const float*, int64_t, float*) { throw Error("device lost"); };
    QVERIFY_THROWS_EXCEPTION(Error, SlidingWindowPredictor(patch, {}).predict(VolumeF32(Shape3{8, 8, 8}), {failing, failing}));
    CancelToken cancel;
    cancel.cancel();
    QVERIFY_THROWS_EXCEPTION(Cancelled, SlidingWindowPredictor(patch, {}).predict(VolumeF32(Shape3{8, 8, 8}),
                                                                                 {identityModel(patch)}, nullptr, &cancel));
    SlidingWindowOptions bad;
    bad.batch = 0;
    QVERIFY_THROWS_EXCEPTION(Error, SlidingWindowPredictor(patch, bad));
  }
};

QTEST_APPLESS_MAIN(TestSlidingWindow)
#include "TestSlidingWindow.moc"

// nnU-Net's augmentation chain, one transform at a time (torch-free): statistics, inverses, label
// values, thin sheets under rotation, the draw frequencies of the table, and determinism per key.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "SheetVolumes.h"
#include "engine/core/Error.h"
#include "engine/train/Augment.h"
#include "engine/train/BatchPipeline.h"
#include "engine/train/PatchSampler.h"
#include "engine/train/SplitMix.h"
#include "engine/train/TrainConfig.h"

namespace {

struct Moments {
  double mean = 0, std = 0, min = 0, max = 0, kurtosis = 0;
};
Moments momentsOf(const std::vector<float>& v) {
  Moments m;
  double s = 0;
  for (float x : v) s += x;
  m.mean = s / double(v.size());
  double s2 = 0, s4 = 0;
  for (float x : v) {
    double d = x - m.mean;
    s2 += d * d, s4 += d * d * d * d;
  }
  m.std = std::sqrt(s2 / double(v.size() - 1));
  m.kurtosis = (s4 / double(v.size())) / std::pow(s2 / double(v.size()), 2);
  m.min = *std::min_element(v.begin(), v.end());
  m.max = *std::max_element(v.begin(), v.end());
  return m;
}

std::vector<float> randomImage(int64_t n, uint64_t seed) {
  vwb::SplitMix rng(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = static_cast<float>(rng.normal() * 1.5 + 0.3);
  return v;
}

std::vector<float> identityTable() {
  std::vector<float> t(256);
  std::iota(t.begin(), t.end(), 0.0f);
  return t;
}

// Background components (6-connected) of a label patch: a watertight sheet through the patch
// leaves exactly two.
int backgroundComponents(const std::vector<uint8_t>& label, int64_t P) {
  std::vector<int> comp(label.size(), -1);
  std::vector<int64_t> stack;
  int n = 0;
  for (int64_t i = 0; i < P * P * P; ++i) {
    if (label[size_t(i)] == 1 || comp[size_t(i)] >= 0) continue;
    comp[size_t(i)] = n;
    stack.push_back(i);
    while (!stack.empty()) {
      int64_t j = stack.back();
      stack.pop_back();
      int64_t z = j / (P * P), y = (j / P) % P, x = j % P;
      const int64_t nb[6][3] = {{z - 1, y, x}, {z + 1, y, x}, {z, y - 1, x}, {z, y + 1, x}, {z, y, x - 1}, {z, y, x + 1}};
      for (const auto& q : nb) {
        if (q[0] < 0 || q[0] >= P || q[1] < 0 || q[1] >= P || q[2] < 0 || q[2] >= P) continue;
        int64_t k = (q[0] * P + q[1]) * P + q[2];
        if (label[size_t(k)] != 1 && comp[size_t(k)] < 0) comp[size_t(k)] = n, stack.push_back(k);
      }
    }
    ++n;
  }
  return n;
}

}  // namespace

class TestAugment : public QObject {
  Q_OBJECT
 private slots:
  void presetNames() {
    for (auto p : {vwb::AugmentPreset::None, vwb::AugmentPreset::Light, vwb::AugmentPreset::NnUnet,
                   vwb::AugmentPreset::Strong})
      QCOMPARE(vwb::parseAugmentPreset(vwb::augmentPresetName(p)), p);
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::parseAugmentPreset("heavy"));
    QVERIFY(!vwb::augmentOptions(vwb::AugmentPreset::None).enabled);
    QVERIFY(!vwb::augmentOptions(vwb::AugmentPreset::Light).chain);
    QVERIFY(vwb::augmentOptions(vwb::AugmentPreset::NnUnet).chain);
    QCOMPARE(vwb::augmentOptions(vwb::AugmentPreset::NnUnet).chainOptions.elasticProbability, 0.0);
    QVERIFY(vwb::augmentOptions(vwb::AugmentPreset::Strong).chainOptions.elasticProbability > 0);
  }

  void presetInTheTrainingConfig() {
    vwb::TrainConfig c;
    QCOMPARE(c.data.augment, vwb::AugmentPreset::NnUnet);  // the default (engine/train/README.md says why)
    c.data.augment = vwb::AugmentPreset::Strong;
    QCOMPARE(vwb::TrainConfig::fromJson(c.toJson()).data.augment, vwb::AugmentPreset::Strong);
    c.data.augment = vwb::AugmentPreset::Light;
    QCOMPARE(vwb::TrainConfig::fromJson(c.toJson()).data.augment, vwb::AugmentPreset::Light);
    // A config written before the presets existed trained with the light recipe: it reads as light.
    QCOMPARE(vwb::TrainConfig::fromJson("{\"patch\": 32}").data.augment, vwb::AugmentPreset::Light);
    try {
      vwb::TrainConfig::fromJson("{\"augment\": \"heavy\"}");
      QFAIL("an unknown preset was accepted");
    } catch (const vwb::Error& e) {
      QVERIFY2(std::string(e.what()).find("heavy") != std::string::npos, e.what());
    }
  }

  void drawsFollowNnUnetsTable() {
    // Each transform's frequency within 5 binomial sigmas of the table, its range respected.
    const vwb::ChainOptions o = vwb::augmentOptions(vwb::AugmentPreset::NnUnet).chainOptions;
    const int n = 40000;
    int rotated = 0, scaled = 0, spatial = 0, noise = 0, blur = 0, bright = 0, contrast = 0, lowRes = 0,
        invGamma = 0, gamma = 0, mirrored = 0, below1 = 0;
    for (int k = 0; k < n; ++k) {
      vwb::SplitMix rng(vwb::mixKeys(7, uint64_t(k)));
      vwb::ChainDraw c = vwb::drawChain(rng, o);
      QVERIFY(c.active);
      if (c.angles[0] != 0) {
        ++rotated;
        for (float a : c.angles) QVERIFY(std::abs(a) <= 30 * 3.14159265358979 / 180 + 1e-6);
      }
      if (c.scale != 1) {
        ++scaled;
        QVERIFY(c.scale >= 0.7f && c.scale <= 1.4f);
      }
      spatial += c.spatial;
      if (c.noiseSigma > 0) {
        ++noise;
        QVERIFY(c.noiseSigma <= 0.1f);
      }
      if (c.blurSigma[0] > 0) {
        ++blur;
        for (float s : c.blurSigma) QVERIFY(s >= 0.5f && s <= 1.0f);
      }
      bright += c.brightness != 1;
      contrast += c.contrast != 1;
      below1 += c.contrast < 1;
      lowRes += c.lowResZoom != 1;
      invGamma += c.invertedGamma != 1;
      gamma += c.gamma != 1;
      QVERIFY(c.brightness >= 0.75f && c.brightness <= 1.25f);
      QVERIFY(c.contrast >= 0.75f && c.contrast <= 1.25f);
      QVERIFY(c.lowResZoom >= 0.5f && c.lowResZoom <= 1.0f);
      QVERIFY(c.invertedGamma >= 0.7f && c.invertedGamma <= 1.5f);
      QVERIFY(c.gamma >= 0.7f && c.gamma <= 1.5f);
      mirrored += c.mirror[0];
      QCOMPARE(c.elastic, 0.0f);
      QCOMPARE(c.blankBoxes, 0);
      QCOMPARE(c.illumination, 0.0f);
    }
    auto near = [n](int count, double p) {
      return std::abs(count - n * p) <= 5 * std::sqrt(n * p * (1 - p));
    };
    QVERIFY2(near(rotated, 0.2), qPrintable(QString::number(rotated)));
    QVERIFY(near(scaled, 0.2));
    QVERIFY(near(spatial, 1 - 0.8 * 0.8));  // independent: a resample 36 % of the time
    QVERIFY(near(noise, 0.1));
    QVERIFY(near(blur, 0.2 * 0.5));
    QVERIFY(near(bright, 0.15));
    QVERIFY(near(contrast, 0.15));
    QVERIFY(near(lowRes, 0.25 * 0.5));
    QVERIFY(near(invGamma, 0.1));
    QVERIFY(near(gamma, 0.3));
    QVERIFY(near(mirrored, 0.5));
    // BGContrast: half of the factors below 1.
    QVERIFY(std::abs(below1 - contrast / 2) <= 5 * std::sqrt(contrast * 0.25));
  }

  void gaussianNoiseHasTheDrawnSigma() {
    const int64_t n = 1 << 21;
    std::vector<float> v(size_t(n), 0.0f);
    vwb::addGaussianNoise(v.data(), n, 0.08f, 11);
    Moments m = momentsOf(v);
    // Mean within 5 standard errors; std within 1 %; kurtosis of a Gaussian is 3.
    QVERIFY2(std::abs(m.mean) < 5 * 0.08 / std::sqrt(double(n)), qPrintable(QString::number(m.mean)));
    QVERIFY2(std::abs(m.std / 0.08 - 1) < 0.01, qPrintable(QString::number(m.std)));
    QVERIFY2(std::abs(m.kurtosis - 3) < 0.05, qPrintable(QString::number(m.kurtosis)));
    std::vector<float> again(size_t(n), 0.0f), other(size_t(n), 0.0f);
    vwb::addGaussianNoise(again.data(), n, 0.08f, 11);
    vwb::addGaussianNoise(other.data(), n, 0.08f, 12);
    QVERIFY(again == v);  // the seed alone decides
    QVERIFY(other != v);
  }

  void gaussianBlurHasTheDrawnSigmaPerAxis() {
    // An impulse becomes the kernel: unit mass, variance sigma^2 along each blurred axis (the
    // discrete kernel at sigma >= 0.8 is within 2 % of it), nothing along an unblurred axis.
    const vwb::Dims d{21, 21, 21};
    std::vector<float> v(size_t(d.voxels()), 0.0f);
    v[size_t((10 * 21 + 10) * 21 + 10)] = 1;
    const float sigma[3] = {1.0f, 0.0f, 0.8f};
    vwb::gaussianBlur(v.data(), d, sigma);
    double mass = 0, var[3] = {0, 0, 0};
    for (int64_t z = 0; z < 21; ++z)
      for (int64_t y = 0; y < 21; ++y)
        for (int64_t x = 0; x < 21; ++x) {
          double w = v[size_t((z * 21 + y) * 21 + x)];
          mass += w;
          var[0] += w * (z - 10) * (z - 10), var[1] += w * (y - 10) * (y - 10), var[2] += w * (x - 10) * (x - 10);
        }
    QVERIFY(std::abs(mass - 1) < 1e-5);
    QVERIFY2(std::abs(var[0] - 1.0) < 0.02, qPrintable(QString::number(var[0])));
    QCOMPARE(var[1], 0.0);
    QVERIFY2(std::abs(var[2] - 0.64) < 0.02 * 0.64, qPrintable(QString::number(var[2])));
    // A constant stays (edges repeat, weights sum to one).
    std::vector<float> c(size_t(d.voxels()), 2.5f);
    vwb::gaussianBlur(c.data(), d, sigma);
    for (float x : c) QVERIFY(std::abs(x - 2.5f) < 1e-5f);
  }

  void brightnessIsInvertible() {
    auto v = randomImage(4096, 1), original = v;
    vwb::multiplyBrightness(v.data(), 4096, 1.2f);
    QVERIFY(std::abs(momentsOf(v).mean - 1.2 * momentsOf(original).mean) < 1e-4);
    vwb::multiplyBrightness(v.data(), 4096, 1 / 1.2f);
    for (size_t i = 0; i < v.size(); ++i) QVERIFY(std::abs(v[i] - original[i]) <= 1e-6f * (1 + std::abs(original[i])));
  }

  void contrastKeepsMeanAndRange() {
    auto v = randomImage(1 << 16, 2), original = v;
    Moments before = momentsOf(v);
    vwb::adjustContrast(v.data(), int64_t(v.size()), 0.8f);  // towards the mean: nothing clamped
    Moments low = momentsOf(v);
    QVERIFY(std::abs(low.mean - before.mean) < 1e-4);
    QVERIFY(std::abs(low.std - 0.8 * before.std) < 1e-3);
    // Exactly (v - mean) * f + mean: not invertible by design, the range is kept, not the spread.
    for (size_t i = 0; i < v.size(); ++i)
      QVERIFY(std::abs(v[i] - ((original[i] - before.mean) * 0.8 + before.mean)) < 1e-4);
    v = original;
    vwb::adjustContrast(v.data(), int64_t(v.size()), 1.25f);  // away from it: clamped to the range
    Moments high = momentsOf(v);
    QCOMPARE(high.min, before.min);
    QCOMPARE(high.max, before.max);
    QVERIFY(high.std > before.std);
  }

  void lowResolutionRemovesDetailOnly() {
    const vwb::Dims d{32, 32, 32};
    std::vector<float> c(size_t(d.voxels()), -0.7f);
    vwb::simulateLowResolution(c.data(), d, 0.6f);
    for (float x : c) QVERIFY(std::abs(x + 0.7f) < 1e-6f);  // a constant stays
    // Smooth content survives (a slow ramp along x stays within one low-res step of itself),
    // the finest detail (a checkerboard) goes: its variance drops by far.
    std::vector<float> ramp(size_t(d.voxels())), board(size_t(d.voxels()));
    for (int64_t z = 0; z < 32; ++z)
      for (int64_t y = 0; y < 32; ++y)
        for (int64_t x = 0; x < 32; ++x) {
          ramp[size_t((z * 32 + y) * 32 + x)] = 0.1f * float(x);
          board[size_t((z * 32 + y) * 32 + x)] = ((x + y + z) % 2) ? 1.0f : -1.0f;
        }
    auto r = ramp;
    vwb::simulateLowResolution(r.data(), d, 0.5f);
    for (size_t i = 0; i < r.size(); ++i) QVERIFY(std::abs(r[i] - ramp[i]) <= 0.1f * 2 + 1e-5f);
    QVERIFY(r != ramp);
    const double boardVar = std::pow(momentsOf(board).std, 2);
    vwb::simulateLowResolution(board.data(), d, 0.7f);
    QVERIFY2(std::pow(momentsOf(board).std, 2) < 0.6 * boardVar, qPrintable(QString::number(momentsOf(board).std)));
    // zoom 1: untouched.
    auto same = ramp;
    vwb::simulateLowResolution(same.data(), d, 1.0f);
    QVERIFY(same == ramp);
  }

  void gammaKeepsStatisticsAndOrder() {
    for (bool invert : {false, true})
      for (float g : {0.7f, 1.5f}) {
        auto v = randomImage(1 << 16, 3), original = v;
        Moments before = momentsOf(v);
        vwb::gammaKeepStats(v.data(), int64_t(v.size()), g, invert);
        Moments after = momentsOf(v);
        QVERIFY2(std::abs(after.mean - before.mean) < 1e-4 && std::abs(after.std / before.std - 1) < 1e-4,
                 qPrintable(QString("%1 %2 / %3 %4").arg(after.mean).arg(after.std).arg(before.mean).arg(before.std)));
        // Monotone: the order of the voxels is kept (a gamma curve never reverses intensities).
        std::vector<size_t> idx(v.size());
        std::iota(idx.begin(), idx.end(), 0);
        std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return original[a] < original[b]; });
        for (size_t k = 1; k < idx.size(); ++k) QVERIFY(v[idx[k]] >= v[idx[k - 1]] - 1e-6f);
        QVERIFY(v != original);
      }
    // Gamma 1 is the identity up to the table's interpolation (1e-3 of the range).
    auto v = randomImage(4096, 4), original = v;
    Moments m = momentsOf(v);
    vwb::gammaKeepStats(v.data(), 4096, 1.0f, false);
    for (size_t i = 0; i < v.size(); ++i) QVERIFY(std::abs(v[i] - original[i]) < 1e-3 * (m.max - m.min));
    // Inverted gamma bends the other end: gamma < 1 on the image brightens the dark voxels, on the
    // inverted image it darkens the bright ones; the skewness moves the opposite way.
    auto skew = [](const std::vector<float>& x) {
      Moments mm = momentsOf(x);
      double s3 = 0;
      for (float a : x) s3 += std::pow((a - mm.mean) / mm.std, 3);
      return s3 / double(x.size());
    };
    auto a = randomImage(1 << 16, 5), b = a;
    const double s0 = skew(a);
    vwb::gammaKeepStats(a.data(), int64_t(a.size()), 0.7f, false);
    vwb::gammaKeepStats(b.data(), int64_t(b.size()), 0.7f, true);
    QVERIFY((skew(a) - s0) * (skew(b) - s0) < 0);
  }

  void mirroringIsItsOwnInverse() {
    const vwb::Dims d{6, 7, 9};
    std::vector<uint8_t> image(size_t(d.voxels())), label(image.size());
    vwb::SplitMix rng(5);
    for (size_t i = 0; i < image.size(); ++i) image[i] = uint8_t(rng.below(256)), label[i] = uint8_t(rng.below(3));
    auto table = identityTable();
    for (int m = 0; m < 8; ++m) {
      const bool mirror[3] = {bool(m & 4), bool(m & 2), bool(m & 1)};
      std::vector<float> once(image.size());
      std::vector<uint8_t> onceLabel(image.size());
      vwb::gatherPatch(image.data(), label.data(), d, table.data(), mirror, once.data(), onceLabel.data());
      std::vector<uint8_t> onceImage(image.size());
      for (size_t i = 0; i < once.size(); ++i) onceImage[i] = uint8_t(once[i]);
      std::vector<float> twice(image.size());
      std::vector<uint8_t> twiceLabel(image.size());
      vwb::gatherPatch(onceImage.data(), onceLabel.data(), d, table.data(), mirror, twice.data(), twiceLabel.data());
      for (size_t i = 0; i < image.size(); ++i) {
        QCOMPARE(twice[i], float(image[i]));
        QCOMPARE(twiceLabel[i], label[i]);
      }
      QCOMPARE(onceImage == image, m == 0);
    }
  }

  void rotationAndScalingInvert() {
    // A smooth image and a ball label, rotated (about each axis in turn) and scaled, then rotated
    // and scaled back: the centre comes back within the error of two trilinear resamplings.
    const int64_t S = 160;
    std::vector<uint8_t> image(size_t(S * S * S)), label(image.size());
    for (int64_t z = 0; z < S; ++z)
      for (int64_t y = 0; y < S; ++y)
        for (int64_t x = 0; x < S; ++x) {
          double v = 128 + 60 * std::sin(z * 0.21) * std::cos(y * 0.17) + 50 * std::sin(x * 0.13 + 1);
          image[size_t((z * S + y) * S + x)] = uint8_t(std::lround(v));
          double r2 = (z - 80.5) * (z - 80.5) + (y - 78.5) * (y - 78.5) + (x - 82.5) * (x - 82.5);
          label[size_t((z * S + y) * S + x)] = r2 < 14 * 14 ? 1 : 0;
        }
    auto table = identityTable();
    const bool none[3] = {false, false, false};
    for (int axis = 0; axis < 3; ++axis) {
      float angles[3] = {0, 0, 0}, back[3] = {0, 0, 0};
      angles[axis] = 0.45f, back[axis] = -0.45f;
      const int64_t P1 = 96, P2 = 48;
      // Forward: a P1 patch centred at 80.5 in the big volume.
      vwb::AffineMap m1 = vwb::patchAffine(angles, 1.25f, none);
      const double c1[3] = {80.5, 80.5, 80.5};
      int64_t corner[3];
      vwb::Dims box;
      vwb::boxFor(m1, c1, P1, 0, corner, box);
      std::vector<uint8_t> bi(size_t(box.voxels())), bl(bi.size());
      for (int64_t z = 0; z < box.d; ++z)
        for (int64_t y = 0; y < box.h; ++y)
          for (int64_t x = 0; x < box.w; ++x) {
            size_t src = size_t(((corner[0] + z) * S + corner[1] + y) * S + corner[2] + x);
            bi[size_t((z * box.h + y) * box.w + x)] = image[src], bl[size_t((z * box.h + y) * box.w + x)] = label[src];
          }
      const vwb::Dims out1{P1, P1, P1};
      std::vector<float> a(size_t(out1.voxels()));
      std::vector<uint8_t> al(a.size());
      vwb::resamplePatch(bi.data(), bl.data(), box, table.data(), m1, out1, a.data(), al.data());
      std::vector<uint8_t> a8(a.size());
      for (size_t i = 0; i < a.size(); ++i) a8[i] = uint8_t(std::lround(std::clamp(a[i], 0.0f, 255.0f)));
      // Back: a P2 patch from the middle of the first; source voxel 57 + o (integer positions).
      vwb::AffineMap m2 = vwb::patchAffine(back, 1 / 1.25f, none);
      const double c2[3] = {47.5, 47.5, 47.5};
      vwb::Dims box2;
      int64_t corner2[3];
      vwb::boxFor(m2, c2, P2, 0, corner2, box2);
      QVERIFY(corner2[0] >= 0 && corner2[0] + box2.d <= P1);  // inside the first patch
      std::vector<uint8_t> bi2(size_t(box2.voxels())), bl2(bi2.size());
      for (int64_t z = 0; z < box2.d; ++z)
        for (int64_t y = 0; y < box2.h; ++y)
          for (int64_t x = 0; x < box2.w; ++x) {
            size_t src = size_t(((corner2[0] + z) * P1 + corner2[1] + y) * P1 + corner2[2] + x);
            bi2[size_t((z * box2.h + y) * box2.w + x)] = a8[src], bl2[size_t((z * box2.h + y) * box2.w + x)] = al[src];
          }
      const vwb::Dims out2{P2, P2, P2};
      std::vector<float> b(size_t(out2.voxels()));
      std::vector<uint8_t> bl3(b.size());
      vwb::resamplePatch(bi2.data(), bl2.data(), box2, table.data(), m2, out2, b.data(), bl3.data());
      double err = 0;
      int64_t agree = 0, ballHere = 0;
      for (int64_t z = 0; z < P2; ++z)
        for (int64_t y = 0; y < P2; ++y)
          for (int64_t x = 0; x < P2; ++x) {
            size_t o = size_t((z * P2 + y) * P2 + x), src = size_t(((57 + z) * S + 57 + y) * S + 57 + x);
            err += std::abs(b[o] - image[src]);
            agree += bl3[o] == label[src];
            ballHere += label[src];
          }
      err /= double(out2.voxels());
      // Two trilinear passes smooth a signal of period >= 30 voxels by < 2 grey levels on average.
      QVERIFY2(err < 2.0, qPrintable(QString("axis %1: mean abs error %2").arg(axis).arg(err)));
      QVERIFY(ballHere > 5000);
      qInfo("axis %d: mean abs error %.2f grey levels, %lld of the ball's %lld voxels relabelled", axis, err,
            static_cast<long long>(out2.voxels() - agree), static_cast<long long>(ballHere));
      // Labels differ only on the ball's surface (~2500 voxels): under a fifth of it.
      QVERIFY2(double(out2.voxels() - agree) < 0.2 * 4 * 3.14159 * 14 * 14,
               qPrintable(QString("axis %1: %2 labels differ").arg(axis).arg(out2.voxels() - agree)));
    }
  }

  void slabbedResamplingReadsOnlyTheFootprint() {
    // Reading slab by slab gives the one-box result (up to float rounding of the positions) while
    // holding a fraction of the bounding box of a rotated, scaled patch at a time.
    const int64_t S = 200, P = 64;
    std::vector<uint8_t> image(size_t(S * S * S)), label(image.size());
    vwb::SplitMix rng(3);
    for (int64_t z = 0; z < S; ++z)
      for (int64_t y = 0; y < S; ++y)
        for (int64_t x = 0; x < S; ++x) {
          const size_t i = size_t((z * S + y) * S + x);
          image[i] = uint8_t(128 + 100 * std::sin(0.1 * z + 0.2 * y) * std::cos(0.15 * x));
          label[i] = uint8_t(std::fmod(0.7 * z + 0.4 * y + 0.2 * x, 12.0) < 2 ? 1 : (x > 150 ? 2 : 0));
        }
    auto table = identityTable();
    const float angles[3] = {0.5f, -0.45f, 0.4f};
    const bool mirror[3] = {false, true, false};
    for (float elastic : {0.0f, 4.0f}) {
      vwb::AffineMap map = vwb::patchAffine(angles, 1.4f, mirror);
      const double centre[3] = {100, 101, 99.5};
      vwb::centreMap(map, centre, P);
      int64_t requested = 0, largest = 0;
      auto read = [&](const int64_t corner[3], vwb::Dims box, uint8_t* bi, uint8_t* bl) {
        requested += box.voxels();
        largest = std::max(largest, box.voxels());
        for (int64_t z = 0; z < box.d; ++z)
          for (int64_t y = 0; y < box.h; ++y)
            for (int64_t x = 0; x < box.w; ++x) {
              const int64_t sz = corner[0] + z, sy = corner[1] + y, sx = corner[2] + x;
              QVERIFY(sz >= 0 && sz < S && sy >= 0 && sy < S && sx >= 0 && sx < S);
              bi[(z * box.h + y) * box.w + x] = image[size_t((sz * S + sy) * S + sx)];
              bl[(z * box.h + y) * box.w + x] = label[size_t((sz * S + sy) * S + sx)];
            }
      };
      const vwb::Dims out{P, P, P};
      std::vector<float> slabbed(size_t(out.voxels())), whole(slabbed.size());
      std::vector<uint8_t> slabbedLabel(slabbed.size()), wholeLabel(slabbed.size());
      vwb::resamplePatchFrom(read, table.data(), map, out, slabbed.data(), slabbedLabel.data(),
                             vwb::LabelResampling::OneHotLinear, elastic, 5, 16);
      vwb::resamplePatch(image.data(), label.data(), vwb::Dims{S, S, S}, table.data(), map, out, whole.data(),
                         wholeLabel.data(), vwb::LabelResampling::OneHotLinear, elastic, 5);
      int64_t labelsDiffer = 0;
      float largestDiff = 0;
      for (size_t i = 0; i < whole.size(); ++i) {
        largestDiff = std::max(largestDiff, std::abs(whole[i] - slabbed[i]));
        labelsDiffer += wholeLabel[i] != slabbedLabel[i];
      }
      // Positions differ by float rounding (~1e-5 voxel): values by far less than a grey level,
      // labels only where two classes tie.
      QVERIFY2(largestDiff < 0.05f, qPrintable(QString::number(largestDiff)));
      QVERIFY(labelsDiffer <= out.voxels() / 10000);
      // The bounding box of the footprint, and what was read instead.
      int64_t bbox = 1;
      for (int a = 0; a < 3; ++a)
        bbox *= int64_t((std::abs(map.m[a][0]) + std::abs(map.m[a][1]) + std::abs(map.m[a][2])) * (P - 1)) + 1;
      qInfo("rotated x1.4, elastic %.0f: read %lld voxels in slabs (largest %lld), bounding box %lld, footprint %lld",
            double(elastic), static_cast<long long>(requested), static_cast<long long>(largest),
            static_cast<long long>(bbox), static_cast<long long>(std::pow(1.4 * P, 3)));
      if (elastic == 0) QVERIFY(requested < bbox);
      QVERIFY(largest * 4 < bbox);  // memory: a few slabs, not the bounding box
    }
  }

  void labelValuesSurviveResampling() {
    // Random 3-class labels and voxels outside the volume: only 0, 1, 2 come out; outside (and
    // only outside) gives image 0 and label 2.
    const vwb::Dims box{40, 40, 40};
    std::vector<uint8_t> image(size_t(box.voxels())), label(image.size());
    vwb::SplitMix rng(9);
    for (size_t i = 0; i < image.size(); ++i) image[i] = uint8_t(100 + rng.below(50)), label[i] = uint8_t(rng.below(3));
    const int64_t corner[3] = {-10, 5, 0};
    vwb::markOutside(label.data(), box, corner, vwb::Dims{25, 100, 100});  // z >= 10 and < 35 inside
    auto table = identityTable();
    const float angles[3] = {0.3f, -0.4f, 0.2f};
    const bool mirror[3] = {true, false, true};
    vwb::AffineMap map = vwb::patchAffine(angles, 0.9f, mirror);
    const double centre[3] = {20, 20, 20};
    int64_t c[3];
    vwb::Dims need;
    vwb::boxFor(map, centre, 24, 0, c, need);
    QVERIFY(c[0] >= 0 && c[0] + need.d <= 40 && c[1] >= 0 && c[1] + need.h <= 40);
    // Shift the map into this box's frame (boxFor's corner is where its box starts).
    for (int a = 0; a < 3; ++a) map.origin[a] += double(c[a]);
    std::vector<float> out(24 * 24 * 24);
    std::vector<uint8_t> outLabel(out.size());
    vwb::resamplePatch(image.data(), label.data(), box, table.data(), map, vwb::Dims{24, 24, 24}, out.data(), outLabel.data());
    int counts[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < out.size(); ++i) {
      QVERIFY(outLabel[i] <= 2);
      ++counts[outLabel[i]];
      // Inside, values stay in the source's range; next to the volume's edge they blend with the
      // outside's 0 (nnU-Net's zero padding).
      QVERIFY(out[i] >= 0 && out[i] <= 149 + 1e-3f);
      if (out[i] == 0) QCOMPARE(outLabel[i], uint8_t(2));
    }
    QVERIFY(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
    int zeros = int(std::count(out.begin(), out.end(), 0.0f));
    QVERIFY(zeros > 0);  // some of the patch lies outside the volume
  }

  void thinSheetsSurviveRotation() {
    // An oblique 2-voxel sheet (as the scrolls' surfaces lie in the voxel grid), rotated about all
    // three axes and scaled: one-hot trilinear + argmax keeps it watertight (two background
    // components, none leaking through); the nearest voxel leaks and pits it.
    const int64_t P = 64;
    const vwb::Dims out{P, P, P};
    std::vector<float> image(size_t(out.voxels()));
    std::vector<uint8_t> label(image.size());
    auto table = identityTable();
    int leaks[2] = {0, 0}, extra[2] = {0, 0}, trials = 0;
    for (float scale : {0.7f, 1.0f, 1.4f})
      for (int t = 0; t < 8; ++t, ++trials)
        for (int mode = 0; mode < 2; ++mode) {
          const float angles[3] = {0.13f * t - 0.5f, 0.07f * t - 0.2f, 0.52f - 0.06f * t};
          const bool none[3] = {false, false, false};
          vwb::AffineMap map = vwb::patchAffine(angles, scale, none);
          const double centre[3] = {100.3, 100.1, 99.7};
          int64_t c[3];
          vwb::Dims box;
          vwb::boxFor(map, centre, P, 0, c, box);
          std::vector<uint8_t> bi(size_t(box.voxels()), 100), bl(bi.size(), 0);
          const double n[3] = {0.8, 0.5, 0.33}, len = std::sqrt(0.64 + 0.25 + 0.33 * 0.33);
          for (int64_t z = 0; z < box.d; ++z)
            for (int64_t y = 0; y < box.h; ++y)
              for (int64_t x = 0; x < box.w; ++x) {
                double dist = (n[0] * (z + c[0] - centre[0]) + n[1] * (y + c[1] - centre[1]) + n[2] * (x + c[2] - centre[2])) / len;
                if (std::abs(dist) < 1.0) bl[size_t((z * box.h + y) * box.w + x)] = 1;
              }
          vwb::resamplePatch(bi.data(), bl.data(), box, table.data(), map, out, image.data(), label.data(),
                             mode ? vwb::LabelResampling::Nearest : vwb::LabelResampling::OneHotLinear);
          int components = backgroundComponents(label, P);
          leaks[mode] += components < 2;
          extra[mode] += std::max(0, components - 2);
        }
    qInfo("oblique 2-voxel sheet, %d rotations x scales 0.7/1.0/1.4: one-hot trilinear %d leaks, %d pits; "
          "nearest %d leaks, %d pits", trials, leaks[0], extra[0], leaks[1], extra[1]);
    QCOMPARE(leaks[0], 0);
    QCOMPARE(extra[0], 0);
    QVERIFY(leaks[1] + extra[1] > 0);
  }

  void elasticDisplacementIsBounded() {
    // A ramp along each axis moves by at most the magnitude: |out - ramp| <= magnitude * slope.
    const int64_t B = 48, P = 32;
    std::vector<uint8_t> image(size_t(B * B * B)), label(image.size(), 0);
    auto table = identityTable();
    for (int axis = 0; axis < 3; ++axis) {
      for (int64_t z = 0; z < B; ++z)
        for (int64_t y = 0; y < B; ++y)
          for (int64_t x = 0; x < B; ++x) image[size_t((z * B + y) * B + x)] = uint8_t(4 * (axis == 0 ? z : axis == 1 ? y : x));
      vwb::AffineMap map;
      for (double& o : map.origin) o = 8;
      std::vector<float> out(size_t(P * P * P)), plain(out.size());
      std::vector<uint8_t> outLabel(out.size());
      vwb::resamplePatch(image.data(), label.data(), vwb::Dims{B, B, B}, table.data(), map, vwb::Dims{P, P, P},
                         plain.data(), outLabel.data());
      vwb::resamplePatch(image.data(), label.data(), vwb::Dims{B, B, B}, table.data(), map, vwb::Dims{P, P, P},
                         out.data(), outLabel.data(), vwb::LabelResampling::OneHotLinear, 3.0f, 77);
      float largest = 0;
      for (size_t i = 0; i < out.size(); ++i) largest = std::max(largest, std::abs(out[i] - plain[i]));
      QVERIFY2(largest <= 4 * 3.0f + 1e-3f, qPrintable(QString::number(largest)));
      QVERIFY(largest > 4 * 0.5f);  // it does move
    }
  }

  void illuminationAndBlankBoxes() {
    const vwb::Dims d{24, 24, 24};
    std::vector<float> v(size_t(d.voxels()), 1.0f);
    vwb::illuminate(v.data(), d, 0.3f, 5);
    Moments m = momentsOf(v);
    QVERIFY(m.min >= 0.7f - 1e-6f && m.max <= 1.3f + 1e-6f);
    QVERIFY(m.max - m.min > 0.05);  // not constant
    auto w = randomImage(d.voxels(), 6), original = w;
    const float mean = float(momentsOf(w).mean);
    vwb::blankBoxes(w.data(), d, 3, 8);
    int64_t changed = 0;
    for (size_t i = 0; i < w.size(); ++i)
      if (w[i] != original[i]) {
        ++changed;
        QVERIFY(std::abs(w[i] - mean) < 1e-4f);
      }
    // 1..3 boxes of 2..6 voxels per edge.
    QVERIFY(changed >= 8 && changed <= 3 * 6 * 6 * 6);
  }

  void chainSamplesAreDeterministicAndAligned() {
    auto volumes = vwbtest::sheetVolumes(2, 48);
    std::vector<const vwb::TrainingVolume*> p{&volumes[0], &volumes[1]};
    for (auto preset : {vwb::AugmentPreset::NnUnet, vwb::AugmentPreset::Strong}) {
      vwb::PatchSampler sampler(p, vwb::Normalization{0, 255, 120, 40}, 32, 0.5, vwb::augmentOptions(preset));
      std::vector<float> a(32 * 32 * 32), b(a.size());
      std::vector<uint8_t> la(a.size()), lb(a.size());
      int spatial = 0;
      for (uint64_t key = 0; key < 30; ++key) {
        spatial += sampler.draw(key).chain.spatial;
        sampler.sample(key, a.data(), la.data());
        sampler.sample(key, b.data(), lb.data());
        QVERIFY(a == b && la == lb);  // the key alone decides
        for (uint8_t l : la) QVERIFY(l <= 2);
      }
      QVERIFY(spatial > 0);
      // The batches are the same for any number of loader threads, and after a resume.
      vwb::BatchPipelineOptions o;
      o.batchSize = 2, o.seed = 3, o.endStep = 6, o.workers = 0;
      std::vector<std::shared_ptr<vwb::Batch>> one, three;
      {
        vwb::BatchPipeline pipe(sampler, o);
        while (auto x = pipe.next()) one.push_back(x);
      }
      o.workers = 3, o.firstStep = 2;
      {
        vwb::BatchPipeline pipe(sampler, o);
        while (auto x = pipe.next()) three.push_back(x);
      }
      QCOMPARE(three.size(), size_t(4));
      for (size_t i = 0; i < three.size(); ++i) {
        QVERIFY(three[i]->image == one[i + 2]->image);
        QVERIFY(three[i]->label == one[i + 2]->label);
      }
    }
  }

  void spatialChainKeepsImageAndLabelAligned() {
    // Bright where label 1 (a thick slab), dark elsewhere; intensity transforms off: after any
    // rotation, scaling and mirroring the two still agree except on the resampled boundary.
    vwb::TrainingVolume v;
    v.image = vwb::VolumeU8({64, 64, 64}, 20);
    v.label = vwb::VolumeU8({64, 64, 64}, 0);
    for (int64_t z = 0; z < 64; ++z)
      for (int64_t y = 0; y < 64; ++y)
        for (int64_t x = 0; x < 64; ++x)
          if (std::abs(0.6 * z + 0.3 * y + 0.2 * x - 40) < 4) v.image.at(z, y, x) = 220, v.label.at(z, y, x) = 1;
    vwb::AugmentOptions aug = vwb::augmentOptions(vwb::AugmentPreset::NnUnet);
    aug.chainOptions.rotationProbability = 1, aug.chainOptions.scalingProbability = 1;
    aug.chainOptions.noiseProbability = aug.chainOptions.blurProbability = aug.chainOptions.brightnessProbability = 0;
    aug.chainOptions.contrastProbability = aug.chainOptions.lowResProbability = 0;
    aug.chainOptions.invertedGammaProbability = aug.chainOptions.gammaProbability = 0;
    vwb::Normalization norm{0, 255, 120, 100};  // 20 -> -1, 220 -> 1
    vwb::PatchSampler sampler({&v}, norm, 24, 1.0, aug);
    std::vector<float> image(24 * 24 * 24);
    std::vector<uint8_t> label(image.size());
    for (uint64_t key = 0; key < 20; ++key) {
      sampler.sample(key, image.data(), label.data());
      int64_t wrong = 0, fg = 0;
      for (size_t i = 0; i < image.size(); ++i) {
        if (label[i] == 2) continue;
        fg += label[i] == 1;
        wrong += (image[i] > 0) != (label[i] == 1);
      }
      QVERIFY(fg > 0);
      QVERIFY2(wrong <= int64_t(image.size()) / 100, qPrintable(QString("key %1: %2 disagree").arg(key).arg(wrong)));
    }
  }
};

QTEST_GUILESS_MAIN(TestAugment)
#include "TestAugment.moc"

// The precision decision as a pure function of faked hardware: what is refused, what auto picks.
#include <QtTest>

#include "engine/model/Precision.h"

using namespace vwb;

namespace {
PrecisionHardware cpu(bool nativeBf16, const char* isa) {
  PrecisionHardware h;
  h.cpuNativeBf16 = nativeBf16;
  h.cpuIsa = isa;
  return h;
}
PrecisionHardware gpu(int major, int minor) {
  PrecisionHardware h;
  h.cuda = true;
  h.computeMajor = major;
  h.computeMinor = minor;
  return h;
}
QString refusal(AmpMode mode, const PrecisionHardware& hw) {
  try {
    choosePrecision(mode, hw, nullptr);
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}
}  // namespace

class TestMixedPrecisionChoice : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void cpuBf16OnlyWhereNative() {
    QString why = refusal(AmpMode::Bf16, cpu(false, "AVX2"));
    QVERIFY2(why.contains("AVX2") && why.contains("no native bf16") && why.contains("--amp off"),
             qPrintable(why));
    QVERIFY(!refusal(AmpMode::Bf16, cpu(false, "AVX-512")).isEmpty());
    std::string reason;
    QCOMPARE(choosePrecision(AmpMode::Bf16, cpu(true, "AMX"), &reason), Precision::BF16);
    QVERIFY(reason.find("AMX") != std::string::npos);
    QCOMPARE(choosePrecision(AmpMode::Bf16, cpu(true, "AVX-512 + bf16"), nullptr), Precision::BF16);
  }

  void cpuAutoIsFp32AndFp16IsRefused() {
    QCOMPARE(choosePrecision(AmpMode::Auto, cpu(true, "AMX"), nullptr), Precision::F32);
    QCOMPARE(choosePrecision(AmpMode::Auto, cpu(false, "AVX2"), nullptr), Precision::F32);
    QCOMPARE(choosePrecision(AmpMode::Off, cpu(false, "AVX2"), nullptr), Precision::F32);
    QVERIFY(refusal(AmpMode::Fp16, cpu(true, "AMX")).contains("CUDA"));
  }

  void gpuModesFollowComputeCapability() {
    QCOMPARE(choosePrecision(AmpMode::Auto, gpu(9, 0), nullptr), Precision::BF16);
    QCOMPARE(choosePrecision(AmpMode::Auto, gpu(8, 0), nullptr), Precision::BF16);
    QCOMPARE(choosePrecision(AmpMode::Auto, gpu(7, 5), nullptr), Precision::F16);
    QCOMPARE(choosePrecision(AmpMode::Auto, gpu(6, 1), nullptr), Precision::F32);
    QCOMPARE(choosePrecision(AmpMode::Auto, gpu(6, 0), nullptr), Precision::F32);
    QVERIFY(refusal(AmpMode::Bf16, gpu(7, 5)).contains("sm75"));
    QCOMPARE(choosePrecision(AmpMode::Bf16, gpu(8, 6), nullptr), Precision::BF16);
    QVERIFY(refusal(AmpMode::Fp16, gpu(6, 1)).contains("sm61"));
    QVERIFY(!refusal(AmpMode::Fp16, gpu(5, 2)).isEmpty());
    QCOMPARE(choosePrecision(AmpMode::Fp16, gpu(6, 0), nullptr), Precision::F16);
    QCOMPARE(choosePrecision(AmpMode::Fp16, gpu(7, 0), nullptr), Precision::F16);
    QCOMPARE(choosePrecision(AmpMode::Fp16, gpu(9, 0), nullptr), Precision::F16);
  }
};

QTEST_GUILESS_MAIN(TestMixedPrecisionChoice)
#include "TestMixedPrecisionChoice.moc"

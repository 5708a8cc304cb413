// The planner's training-memory estimate (engine/plan/MemoryEstimate.h, from engine/model's
// ModelMemory) against the peak resident memory one real CPU training step adds, per preset.
// Each measurement runs in a child process of its own: memory freed earlier in a process stays
// partly resident in glibc's heap and would be reused unseen, lowering the measured delta.
#include <QtTest>

#include <cstdio>
#include <cstdlib>

#include <torch/version.h>  // macros only: the LibTorch version the estimate is checked against

#include "MemoryProbe.h"
#include "engine/model/ModelMemory.h"
#include "engine/model/ModelPresets.h"
#include "engine/plan/MemoryEstimate.h"

class TestModelMemory : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // The forward-pass cost the Kaggle kit's time estimate rests on: every convolution's weights
  // touch every output voxel of its level once, so the total lies between all parameters at the
  // deepest level's voxel count and all of them at full resolution, and grows with the patch's
  // voxels exactly.
  void forwardFlopsAreBoundedByTheParameters() {
    for (const vwb::ArchKind arch : {vwb::ArchKind::UNet, vwb::ArchKind::ResEncM}) {
      vwb::ModelConfig m;
      m.arch = arch;
      m.levels = arch == vwb::ArchKind::UNet ? 4 : 5;
      if (arch != vwb::ArchKind::UNet) m.baseChannels = 32;
      const vwb::Shape3 patch{64, 64, 64};
      const double flops = vwb::estimateForwardFlops(m, patch);
      const double params = double(vwb::parameterCount(m));
      const double deepest = double(patch.voxels() >> (3 * (m.levels - 1)));
      QVERIFY2(flops > 2 * params * deepest && flops < 2 * params * double(patch.voxels()),
               qPrintable(QString("%1 GFLOP, %2 parameters").arg(flops / 1e9).arg(params)));
      QCOMPARE(vwb::estimateForwardFlops(m, {128, 128, 128}), 8 * flops);
    }
  }

  void estimateMatchesMeasuredPeak_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<bool>("deepSupervision");
    QTest::addColumn<int>("patch");
    // Patches small enough for a shared 2-core CPU; the estimate scales linearly in voxels
    // (TestModel::activationEstimateScales), so the ratio carries to the planned patches.
    QTest::newRow("unet") << "unet" << false << 32;
    QTest::newRow("unet+ds") << "unet" << true << 32;
    QTest::newRow("resenc-m") << "resenc-m" << false << 32;
    QTest::newRow("resenc-xl+ds/3") << "resenc-xl" << true << 16;  // 3 stages
  }

  // 15 %: the bound. What the estimate leaves out (oneDNN scratch buffers, autograd's
  // small saved statistics, allocator rounding) and the gradients backward holds briefly (the
  // estimate's 1.3 factor) differ by architecture; the bound holds for AVX2 and AVX-512 kernels
  // alike because neither keeps more than a per-thread scratch buffer.
  void estimateMatchesMeasuredPeak() {
    QFETCH(QString, arch);
    QFETCH(bool, deepSupervision);
    QFETCH(int, patch);
    vwb::ModelConfig base;
    base.arch = vwb::parseArch(arch.toStdString());
    base.deepSupervision = deepSupervision;
    auto model = vwb::modelForPatch(base, patch);
    const int batch = 2;
    auto estimate = vwb::estimateTrainingMemory(model, patch, batch, 4).totalBytes();
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                {"--measure", arch, deepSupervision ? "1" : "0", QString::number(patch),
                 QString::number(batch)});
    QVERIFY(child.waitForFinished(-1));  // the test's ctest TIMEOUT is the last resort
    QCOMPARE(child.exitCode(), 0);
    auto fields = QString::fromUtf8(child.readAllStandardOutput()).split(' ');
    QCOMPARE(fields.size(), 2);
    memoryprobe::StepMemory measured;
    measured.measuredBytes = fields[0].toLongLong();
    measured.stepSeconds = fields[1].toDouble();
    double ratio = double(estimate) / double(measured.measuredBytes);
    std::printf("%-12s patch %d batch %d: %lld parameters, estimate %.1f MiB, measured %.1f MiB "
                "(ratio %.3f), step %.2f s\n",
                QTest::currentDataTag(), patch, batch,
                static_cast<long long>(vwb::parameterCount(model)), estimate / 1048576.0,
                measured.measuredBytes / 1048576.0, ratio, measured.stepSeconds);
    // The estimate is calibrated on the LibTorch that CPU users build with (Debian's 1.13): within
    // 15 % either way there. LibTorch 2.x (oneDNN 3) needs less CPU workspace for the ResEnc
    // convolutions (resenc-m measured 1.19 under 2.6): there an over-estimate up to 25 % is
    // accepted, since it only sizes batches on the safe side; an under-estimate never is.
#if TORCH_VERSION_MAJOR >= 2
    const double high = 1.25;
#else
    const double high = 1.15;
#endif
    QVERIFY2(ratio > 0.85 && ratio < high, qPrintable(QString("estimate/measured = %1").arg(ratio)));
  }
};

// `--measure ARCH DS PATCH BATCH`: one measurement, printed as "BYTES SECONDS".
int main(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "--measure") {
    vwb::ModelConfig base;
    base.arch = vwb::parseArch(argv[2]);
    base.deepSupervision = std::string(argv[3]) == "1";
    int patch = std::atoi(argv[4]);
    auto m = memoryprobe::measureTrainingStep(vwb::modelForPatch(base, patch), patch,
                                              std::atoi(argv[5]), 2);
    std::printf("%lld %.3f", static_cast<long long>(m.measuredBytes), m.stepSeconds);
    return 0;
  }
  QCoreApplication app(argc, argv);
  TestModelMemory test;
  return QTest::qExec(&test, argc, argv);
}
#include "TestModelMemory.moc"

// vwb --version reports what the binary was built with; the CPU's vector ISA reaches `vwb plan`;
// --amp bf16 is refused, with the reason, on a CPU without native bf16 (faked with VWB_CPU_FLAGS,
// which replaces /proc/cpuinfo's flags for the vwb child process).
#include <QtTest>

#include "TestSupport.h"

using vwbtest::run;
using vwbtest::vwbExe;

namespace {
const char* kAvx2Flags = "flags : fpu sse2 avx fma avx2";
const char* kBf16Flags = "flags : fpu sse2 avx fma avx2 avx512f avx512dq avx512bw avx512vl avx512_bf16";
}  // namespace
using vwbtest::why;

class TestVwbBuildInfo : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();

 private Q_SLOTS:
  void cleanup() { qunsetenv("VWB_CPU_FLAGS"); }

  void versionSaysWhatItWasBuiltWith() {
    auto r = run(vwbExe(), {"--version"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY2(r.out.startsWith("vwb 0.1.0\n"), qPrintable(r.out));
    QVERIFY2(QRegularExpression("LibTorch \\d+\\.\\d+\\.\\d+\\n").match(r.out).hasMatch(), qPrintable(r.out));
#ifdef VWB_WITH_CUDA
    QVERIFY2(QRegularExpression("CUDA on \\(runtime \\d+\\.\\d+, \\d+ device").match(r.out).hasMatch(), qPrintable(r.out));
#else
    QVERIFY2(r.out.contains("CUDA off\n"), qPrintable(r.out));
#endif
#ifdef VWB_WITH_NCCL
    QVERIFY2(r.out.contains("NCCL on"), qPrintable(r.out));
#else
    QVERIFY2(r.out.contains("NCCL off\n"), qPrintable(r.out));
#endif
    QVERIFY2(QRegularExpression("oneDNN v?\\S+, ISA \\S").match(r.out).hasMatch(), qPrintable(r.out));
    QVERIFY2(r.out.contains("CPU vector ISA "), qPrintable(r.out));

    qputenv("VWB_CPU_FLAGS", kAvx2Flags);
    r = run(vwbExe(), {"--version"});
    QVERIFY2(r.out.contains("CPU vector ISA AVX2"), qPrintable(r.out));
  }

  void planShowsTheCpuIsa() {
    const QString data = tmp_.filePath("data");
    auto r = run(vwbExe(), {"synth", "--out", data, "--train", "2", "--test", "1", "--size", "32", "--seed", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    qputenv("VWB_CPU_FLAGS", kBf16Flags);
    r = run(vwbExe(), {"plan", "--data", data});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY2(r.out.contains("CPU cores (AVX-512 + bf16)"), qPrintable(r.out));
    r = run(vwbExe(), {"plan", "--data", data, "--amp", "bf16"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));

    qputenv("VWB_CPU_FLAGS", kAvx2Flags);
    r = run(vwbExe(), {"plan", "--data", data, "--amp", "bf16"});
    QVERIFY2(r.exitCode == 1, qPrintable(why(r)));
    QVERIFY2(r.err.contains("this CPU (AVX2) has no native bf16"), qPrintable(why(r)));
  }

  // The strategies decide the same way as the planner: bench-train refuses before any step.
  void benchTrainRefusesEmulatedBf16() {
    qputenv("VWB_CPU_FLAGS", kAvx2Flags);
    auto r = run(vwbExe(), {"bench-train", "--device", "cpu", "--amp", "bf16", "--patch", "16",
                            "--levels", "2", "--base-channels", "4", "--steps", "1", "--warmup", "0"});
    QVERIFY2(r.exitCode == 1, qPrintable(why(r)));
    QVERIFY2(r.err.contains("--amp bf16: this CPU (AVX2) has no native bf16"), qPrintable(why(r)));
  }
};

QTEST_GUILESS_MAIN(TestVwbBuildInfo)
#include "TestVwbBuildInfo.moc"

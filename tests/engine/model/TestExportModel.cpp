// vwb export-model's TorchScript module (engine/model/TorchScriptExport.h) gives our logits:
// loaded in C++ with torch::jit::load, and in Python's torch where it is installed.
#include <QtTest>

#include "ExportChecks.h"
#include "TestSupport.h"
#include "engine/model/ModelPresets.h"

namespace {

// 1e-4: the same fp32 ops run through TorchScript's interpreter may pick other kernels or
// summation orders (oneDNN chooses per call site at run time, AVX2 or AVX-512); logits here are
// O(1)-O(10), so reordering leaves differences around 1e-6.
constexpr double kTolerance = 1e-4;

const char* kPythonCheck = R"(
import sys, numpy, torch
m = torch.jit.load(sys.argv[1])
p = int(m.patch)
raw = torch.from_numpy(numpy.fromfile(sys.argv[2], dtype=numpy.float32).reshape(1, 1, p, p, p))
want = torch.from_numpy(numpy.fromfile(sys.argv[3], dtype=numpy.float32).reshape(1, 1, p, p, p))
with torch.no_grad():
    got = m.predict_raw(raw)
print(float((got - want).abs().max()))
)";

}  // namespace

class TestExportModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void exportedModelGivesOurLogits_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QString>("norm");
    QTest::addColumn<bool>("residual");
    QTest::addColumn<int>("patch");
    QTest::newRow("unet") << "unet" << "instance" << false << 16;
    QTest::newRow("unet-residual-group") << "unet" << "group" << true << 16;
    QTest::newRow("unet-batch") << "unet" << "batch" << false << 16;
    QTest::newRow("resenc-m") << "resenc-m" << "instance" << true << 16;
  }

  void exportedModelGivesOurLogits() {
    QFETCH(QString, arch);
    QFETCH(QString, norm);
    QFETCH(bool, residual);
    QFETCH(int, patch);
    vwb::ModelConfig base;
    base.levels = 3;
    base.baseChannels = 8;
    base.norm = vwb::parseNorm(norm.toStdString());
    base.residual = residual;
    base.arch = vwb::parseArch(arch.toStdString());
    base.deepSupervision = true;  // the export keeps the full-resolution head only
    auto config = vwb::modelForPatch(base, patch);
    auto dir = vwbtest::scratchDir();
    auto file = [&](const char* name) { return dir.filePath(name).toStdString(); };
    double cpp = exportchecks::exportAndCompare(config, patch, file("c.pt"), file("model.pt"),
                                                file("input.f32"), file("expected.f32"));
    QVERIFY2(cpp < kTolerance, qPrintable(QString("C++ torch::jit::load: max diff %1").arg(cpp)));

    if (vwbtest::python("import torch").exitCode != 0)
      QSKIP("Python's torch is not installed (Debian 12: apt-get install python3-torch); "
            "the C++ torch::jit::load check above passed");
    auto py = vwbtest::python(kPythonCheck, {dir.filePath("model.pt"), dir.filePath("input.f32"),
                                             dir.filePath("expected.f32")});
    QVERIFY2(py.exitCode == 0, qPrintable(py.err));
    bool ok = false;
    double diff = py.out.trimmed().toDouble(&ok);
    QVERIFY(ok);
    QVERIFY2(diff < kTolerance, qPrintable(QString("Python torch.jit.load: max diff %1").arg(diff)));
  }
};

QTEST_GUILESS_MAIN(TestExportModel)
#include "TestExportModel.moc"

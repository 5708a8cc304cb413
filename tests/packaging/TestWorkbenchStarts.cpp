// The vesuvius-workbench executable itself starts on an X server with software OpenGL (Xvfb:
// Mesa's llvmpipe, as in every VM, remote desktop and machine without a GPU driver) and shows
// the viewer's QOpenGLWidget with VTK inside, as a user starts it: nothing set in its environment
// beyond the display. On Debian 13 this crashed at the first GL context: LibTorch 2.6 exports
// the LLVM it carries, and Mesa bound to it (cmake/VwbHelpers.cmake, vwb_link_llvm_first).
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

#include "TestSupport.h"

namespace {
QString output(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  if (!p.waitForFinished(vwbtest::kLastResortMs)) return {};
  return QString::fromUtf8(p.readAllStandardOutput());
}
}  // namespace

class TestWorkbenchStarts : public QObject {
  Q_OBJECT
  const QString exe_ = VWB_BINARY_DIR "/app/workbench/vesuvius-workbench";

 private Q_SLOTS:
  // Where LibTorch exports LLVM, the workbench names a libLLVM before it: the global symbol
  // scope then gives Mesa its own LLVM. Also holds on a machine with a GPU driver, where the
  // start below would not show the clash.
  void libLlvmPrecedesTorchWhereTorchExportsLlvm() {
    const QString needed = output("readelf", {"-d", "-W", exe_});
    QVERIFY2(needed.contains("(NEEDED)"), "readelf (binutils) did not read the workbench");
    QStringList libs;
    for (const auto& m : QRegularExpression(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])").globalMatch(needed))
      libs << m.captured(1);
    const int torch = libs.indexOf(QRegularExpression("^libtorch_cpu\\.so.*"));
    QVERIFY2(torch >= 0, qPrintable(libs.join(' ')));
    // The libtorch_cpu this binary loads, and whether it exports LLVM's C API.
    const QString ldd = output("ldd", {exe_});
    const QRegularExpressionMatch where = QRegularExpression("libtorch_cpu\\.so\\S* => (\\S+)").match(ldd);
    QVERIFY2(where.hasMatch(), qPrintable(ldd));
    const bool exportsLlvm = QRegularExpression(R"(\bGLOBAL\s+DEFAULT\s+\d+\s+LLVMInitializeX86Target\b)")
                                 .match(output("readelf", {"--dyn-syms", "-W", where.captured(1)}))
                                 .hasMatch();
    const int llvm = libs.indexOf(QRegularExpression("^libLLVM.*"));
    if (!exportsLlvm) {
      qInfo("%s exports no LLVM: nothing to order (NEEDED: %s)", qPrintable(where.captured(1)), qPrintable(libs.join(' ')));
      return;
    }
    QVERIFY2(llvm >= 0 && llvm < torch, qPrintable("NEEDED: " + libs.join(' ')));
    QVERIFY2(ldd.contains(QRegularExpression("libLLVM\\S* => /")), qPrintable(ldd));
  }

  // The real start: the demo dataset on the viewer page (three slice views and the 3D view,
  // each a QOpenGLWidget hosting VTK), screenshot once populated. A crash in the GL driver
  // ends the process by a signal; a GL widget that failed to render would leave the views
  // flat: the CT slices must be there, in many grey levels.
  void showsTheViewerUnderSoftwareGl() {
    if (qEnvironmentVariableIsEmpty("DISPLAY")) QSKIP("needs an X server (ctest runs it under xvfb-run)");
    QTemporaryDir dir = vwbtest::scratchDir();
    const QString shot = dir.filePath("viewer.png");
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "xcb");
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(exe_, {"--demo", "--demo-dir", dir.filePath("demo"), "--page", "viewer", "--screenshot", shot});
    QVERIFY(p.waitForFinished(vwbtest::kLastResortMs));
    const QString log = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitStatus() == QProcess::NormalExit, qPrintable("the workbench crashed:\n" + log));
    QVERIFY2(p.exitCode() == 0, qPrintable(log));
    QVERIFY2(log.contains("screenshot: " + QFileInfo(shot).absoluteFilePath()), qPrintable(log));
    QImage image(shot);
    QVERIFY2(!image.isNull() && image.width() >= 640 && image.height() >= 400, qPrintable(shot));
    // The three slice views show CT in grey levels and take about a third of the window; the
    // rest of it is a flat palette (#efefef, white, black) with grey only at the edges of
    // anti-aliased text (~1%). Views that did not render leave their dark, bluish background.
    QSet<int> levels;
    qint64 grey = 0, all = 0;
    for (int y = 0; y < image.height(); y += 2)
      for (int x = 0; x < image.width(); x += 2, ++all) {
        const QRgb c = image.pixel(x, y);
        if (qRed(c) == qGreen(c) && qGreen(c) == qBlue(c) && qRed(c) >= 16 && qRed(c) <= 224) {
          levels.insert(qRed(c));
          ++grey;
        }
      }
    const QString counts = QString("%1 of %2 pixels grey, in %3 levels (%4)").arg(grey).arg(all).arg(levels.size()).arg(shot);
    qInfo("%s", qPrintable(counts));
    QVERIFY2(grey * 10 >= all && levels.size() >= 64, qPrintable(counts));
  }
};

QTEST_GUILESS_MAIN(TestWorkbenchStarts)
#include "TestWorkbenchStarts.moc"

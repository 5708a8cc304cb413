// packaging/debian-packages.txt, read by packaging/common.sh's vwb_packages, gives each release and
// LibTorch variant its own list, and names only real packages: a name that another package merely
// provides (libqt6opengl6-dev on Debian 13) is never seen installed, so every packaging/run and
// packaging/test went back to apt-get update and install (not idempotent, network and root each time).
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

#include "TestSupport.h"

namespace {
struct Shell {
  int exitCode = -1;
  QString out, err;
};

Shell bash(const QString& script) {
  QProcess p;
  p.start("bash", {"-c", "source '" VWB_SOURCE_DIR "/packaging/common.sh' && " + script});
  Shell r;
  if (!p.waitForFinished(vwbtest::kLastResortMs)) return r;
  r.exitCode = p.exitCode();
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

QStringList packages(const QString& release, const QString& variant) {
  const Shell r = bash("vwb_packages " + release + " " + variant);
  return r.exitCode == 0 ? r.out.split('\n', Qt::SkipEmptyParts) : QStringList{};
}
}  // namespace

class TestPackageList : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void eachReleaseAndVariantHasItsOwnList() {
    const QStringList bookworm = packages("bookworm", "cpu"), trixie = packages("trixie", "cpu"),
                      cuda = packages("trixie", "cuda");
    for (const QStringList* list : {&bookworm, &trixie, &cuda}) {
      QVERIFY(!list->isEmpty());
      // CPack's shlibdeps runs `file`; LibTorch's BLAS paths want OpenBLAS; the GUI and its tests.
      for (const char* p : {"file", "libopenblas0-openmp", "qt6-base-dev", "libvtk9-dev", "xvfb", "help2man"})
        QVERIFY2(list->contains(p), p);
      QCOMPARE(QSet<QString>(list->begin(), list->end()).size(), list->size());  // each name once
    }
    // Debian 12 has libqt6opengl6-dev as a package; on 13 it is only a name qt6-base-dev provides.
    QVERIFY(bookworm.contains("libqt6opengl6-dev"));
    QVERIFY(!trixie.contains("libqt6opengl6-dev") && !cuda.contains("libqt6opengl6-dev"));
    // One LibTorch (and the Gloo and python3-torch built with it) per variant: they conflict.
    for (const QStringList* list : {&bookworm, &trixie})
      for (const char* p : {"libtorch-cuda-dev", "libgloo-cuda-dev", "python3-torch-cuda", "libnccl-dev", "nvidia-cuda-toolkit"})
        QVERIFY2(!list->contains(p), p);
    for (const char* p : {"libtorch-cuda-dev", "libgloo-cuda-dev", "python3-torch-cuda", "libnccl-dev", "nvidia-cuda-toolkit"})
      QVERIFY2(cuda.contains(p), p);
    for (const char* p : {"libtorch-dev", "libgloo-dev", "python3-torch"}) {
      QVERIFY2(trixie.contains(p) && bookworm.contains(p), p);
      QVERIFY2(!cuda.contains(p), p);
    }
  }

  // On the release this runs on, every name of its list is a package apt can install, none a
  // purely virtual name. The CUDA list where contrib is enabled.
  void thisReleaseListsOnlyRealPackages() {
    const Shell release = bash("vwb_release");
    const QString name = release.out.trimmed();
    if (name != "bookworm" && name != "trixie") QSKIP(qPrintable("not Debian 12 or 13: " + name));
    QStringList names = packages(name, "cpu");
    const Shell cudaAvailable = bash("apt-cache policy libtorch-cuda-dev | grep -q 'Candidate: [0-9]'");
    if (name == "trixie" && cudaAvailable.exitCode == 0) names += packages(name, "cuda");
    names.removeDuplicates();
    QVERIFY(!names.isEmpty());
    // apt-cache show prints one record per real package and nothing at all for a purely
    // virtual name (exit status 0 all the same).
    QProcess show;
    show.start("apt-cache", QStringList{"show", "--no-all-versions"} + names);
    QVERIFY(show.waitForFinished(vwbtest::kLastResortMs));
    QSet<QString> real;
    for (const auto& m : QRegularExpression("^Package: (\\S+)$", QRegularExpression::MultilineOption)
                             .globalMatch(QString::fromUtf8(show.readAllStandardOutput())))
      real.insert(m.captured(1));
    if (real.isEmpty()) QSKIP("apt has no package lists here (apt-get update never ran)");
    QStringList notReal;
    for (const QString& n : names)
      if (!real.contains(n)) notReal << n;
    QVERIFY2(notReal.isEmpty(), qPrintable(name + ": not a package apt can install: " + notReal.join(' ')));
  }
};

QTEST_GUILESS_MAIN(TestPackageList)
#include "TestPackageList.moc"

// `cpack -G DEB` makes a package a desktop can install: both programs, a menu entry whose
// Exec and Icon name files the package holds, the README and copyright under /usr/share/doc, and man pages
// (made from --help) — checked with dpkg-deb on the package itself.
#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QtTest>

#include "TestSupport.h"

class TestDebPackage : public QObject {
  Q_OBJECT
  QString deb_;
  QStringList contents_;

  static QString run(const QString& program, const QStringList& args, const QString& cwd = {}) {
    QProcess p;
    if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(540000) || p.exitCode() != 0)
      qWarning("%s failed:\n%s", qPrintable(program + " " + args.join(' ')), p.readAll().constData());
    return QString::fromUtf8(p.readAll());
  }

 private Q_SLOTS:
  void initTestCase() {
    static QTemporaryDir out = vwbtest::scratchDir();
    run(VWB_CPACK, {"-G", "DEB", "-B", out.path()}, VWB_BINARY_DIR);
    const QStringList debs = QDir(out.path()).entryList({"*.deb"}, QDir::Files);
    QCOMPARE(debs.size(), 1);
    deb_ = QDir(out.path()).filePath(debs[0]);
    for (const QString& line : run("dpkg-deb", {"-c", deb_}).split('\n', Qt::SkipEmptyParts))
      contents_ << line.section(' ', -1).mid(1);  // "./usr/bin/vwb" -> "/usr/bin/vwb"
  }

  void holdsWhatADesktopInstallNeeds() {
    for (const char* path : {"/usr/bin/vwb", "/usr/bin/vesuvius-workbench", "/usr/share/applications/vesuvius-workbench.desktop",
                             "/usr/share/icons/hicolor/scalable/apps/vesuvius-workbench.svg",
                             "/usr/share/doc/vesuvius-workbench/README.md", "/usr/share/doc/vesuvius-workbench/copyright",
                             "/usr/share/man/man1/vwb.1.gz",
                             "/usr/share/man/man1/vesuvius-workbench.1.gz"})
      QVERIFY2(contents_.contains(path), qPrintable(QString(path) + " missing from\n" + contents_.join('\n')));
    QCOMPARE(run("dpkg-deb", {"-f", deb_, "Package"}).trimmed(), QString("vesuvius-workbench"));
  }

  void menuEntryAndManPageAreReal() {
    QTemporaryDir root = vwbtest::scratchDir();
    run("dpkg-deb", {"-x", deb_, root.path()});
    QSettings desktop(root.filePath("usr/share/applications/vesuvius-workbench.desktop"), QSettings::IniFormat);
    desktop.beginGroup("Desktop Entry");
    QCOMPARE(desktop.value("Type").toString(), QString("Application"));
    const QString exec = desktop.value("Exec").toString().section(' ', 0, 0);
    QVERIFY2(QFileInfo(root.filePath("usr/bin/" + exec)).isExecutable(), qPrintable(exec));
    QVERIFY(QFileInfo::exists(root.filePath("usr/share/icons/hicolor/scalable/apps/" + desktop.value("Icon").toString() + ".svg")));
    // The man page is vwb's --help: it names its subcommands.
    const QString man = run("sh", {"-c", "gzip -dc " + root.filePath("usr/share/man/man1/vwb.1.gz")});
    QVERIFY2(man.contains(".TH VWB") && man.contains("train") && man.contains("predict"), qPrintable(man.left(400)));
    // The copyright file in Debian's machine-readable format names the licence.
    QFile copyright(root.filePath("usr/share/doc/vesuvius-workbench/copyright"));
    QVERIFY(copyright.open(QIODevice::ReadOnly));
    const QByteArray text = copyright.readAll();
    QVERIFY2(text.startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/") &&
                 text.contains("License: GPL-3+") && text.contains("/usr/share/common-licenses/GPL-3"),
             text.constData());
  }

  // Depends (dpkg-shlibdeps, which needs `file`) names the package of the LibTorch vwb was
  // linked with: the CUDA one (libtorch-cuda-2.6 on Debian 13) when the build has CUDA on.
  void dependsOnTheLibTorchItWasBuiltWith() {
    const QString depends = run("dpkg-deb", {"-f", deb_, "Depends"}).trimmed();
    const QString ldd = run("ldd", {VWB_BINARY_DIR "/app/vwb/vwb"});
    const QRegularExpressionMatch lib = QRegularExpression("libtorch_cpu\\.so\\S* => (\\S+)").match(ldd);
    QVERIFY2(lib.hasMatch(), qPrintable(ldd));
    // "libtorch2.6:amd64: /usr/lib/x86_64-linux-gnu/libtorch_cpu.so.2.6"
    const QString owner = run("dpkg", {"-S", QFileInfo(lib.captured(1)).canonicalFilePath()}).section(':', 0, 0).trimmed();
    QVERIFY2(!owner.isEmpty(), qPrintable(lib.captured(1)));
    QVERIFY2(QRegularExpression("(^|, )" + QRegularExpression::escape(owner) + "( |,|$)").match(depends).hasMatch(),
             qPrintable(owner + " not in Depends: " + depends));
#ifdef VWB_WITH_CUDA
    QVERIFY2(owner.startsWith("libtorch-cuda"), qPrintable(owner));
#endif
  }
};

QTEST_GUILESS_MAIN(TestDebPackage)
#include "TestDebPackage.moc"

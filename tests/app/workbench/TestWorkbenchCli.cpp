// vesuvius-workbench --help and --version answer on a machine without a display (no X server,
// no QT_QPA_PLATFORM): a new user's first command prints the options instead of an xcb error.
#include <QProcess>
#include <QtTest>

#include "TestSupport.h"

class TestWorkbenchCli : public QObject {
  Q_OBJECT

  static QProcess* runHeadless(const QStringList& args) {
    auto* p = new QProcess;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "VWB_DEMO_DIR"}) env.remove(v);
    p->setProcessEnvironment(env);
    p->start(VWB_BINARY_DIR "/app/workbench/vesuvius-workbench", args);
    return p;
  }

 private Q_SLOTS:
  void helpWithoutDisplay() {
    std::unique_ptr<QProcess> p(runHeadless({"--help"}));
    QVERIFY(p->waitForFinished(vwbtest::kLastResortMs));
    const QString out = QString::fromUtf8(p->readAllStandardOutput());
    QVERIFY2(p->exitStatus() == QProcess::NormalExit && p->exitCode() == 0, qPrintable(p->readAllStandardError()));
    for (const char* option : {"--demo", "--dataset", "--run", "--page", "--assume-gpus", "--screenshot"})
      QVERIFY2(out.contains(option), option);
    QVERIFY(out.contains(".local/share/vesuvius-workbench/demo"));  // the one demo location
  }

  void versionWithoutDisplay() {
    std::unique_ptr<QProcess> p(runHeadless({"--version"}));
    QVERIFY(p->waitForFinished(vwbtest::kLastResortMs));
    QCOMPARE(p->exitCode(), 0);
    QVERIFY(QString::fromUtf8(p->readAllStandardOutput()).contains("vesuvius-workbench"));
  }
};

QTEST_GUILESS_MAIN(TestWorkbenchCli)
#include "TestWorkbenchCli.moc"

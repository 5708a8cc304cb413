// The README's first command without a display runs the headless demo (packaging/demo): synthetic
// data, the planner, a small training run, one prediction of the test and training volumes,
// submission.zip written and verified, and both scores. Here with this build (VWB_BUILD) into a
// scratch demo folder, nothing set in its environment beyond that. The demo once ended without a
// zip because two vwb predict runs shared one --out (a prediction folder holds one run).
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include "TestSupport.h"

class TestHeadlessDemo : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();

 private Q_SLOTS:
  void demoEndsWithAVerifiedSubmissionAndScores() {
    const QString demo = tmp_.filePath("demo");
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.insert("VWB_BUILD", VWB_BINARY_DIR);
    env.insert("VWB_DEMO_DIR", demo);
    p.setProcessEnvironment(env);
    p.start("bash", {VWB_SOURCE_DIR "/packaging/demo"});
    QVERIFY(p.waitForStarted());
    QVERIFY(p.waitForFinished(vwbtest::kLastResortMs));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    const QString err = QString::fromUtf8(p.readAllStandardError());
    const QString all = out + "\n" + err;
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(all.right(4000)));
    QVERIFY2(out.contains("running the headless demo"), qPrintable(out.left(2000)));

    // Every test id of the demo's test.csv is in the zip that export verified.
    QFile csv(demo + "/data/test.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList rows = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts).mid(1);
    QVERIFY(!rows.isEmpty());
    QVERIFY2(QRegularExpression(QString("wrote .*submission\\.zip: %1 volumes, \\d+ bytes, verified").arg(rows.size()))
                 .match(out).hasMatch(),
             qPrintable(all.right(4000)));
    QVERIFY(QFile(demo + "/submission.zip").size() > 0);
    const QString pred = demo + "/runs/demo/predictions";
    for (const QString& row : rows) {
      const QString id = row.section(',', 0, 0).trimmed();
      QVERIFY2(QFile::exists(pred + "/" + id + ".tif"), qPrintable(id));
      QVERIFY2(out.contains(QRegularExpression("\\n" + id + "\\s+\\d\\.\\d{4}")), qPrintable(id + " not scored"));
    }
    // Both score tables, each with its mean, and the end.
    QVERIFY(out.contains("== score of the training volumes"));
    QVERIFY(out.contains("== score of the test volumes"));
    QCOMPARE(out.count(QRegularExpression("\\nmean\\s+\\d\\.\\d{4}")), 2);
    QVERIFY(out.contains("== demo finished"));
  }
};

QTEST_GUILESS_MAIN(TestHeadlessDemo)
#include "TestHeadlessDemo.moc"

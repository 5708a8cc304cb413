// The monitor's compared runs as a model (ui/monitor/ComparedRuns, no widgets or plots), on the
// real engine (its metrics codec and config reader): a run's curves read once, its epoch length
// from its config.json or estimated from its step lines, a name the legend can tell apart, a
// colour no other compared run has; the run shown, a run compared already and a run whose
// metrics do not read are refused, saying why; remove() takes one run away, and only it.
#include <QSignalSpy>
#include <QtTest>

#include "TestSupport.h"
#include "ui/common/Engine.h"
#include "ui/monitor/ComparedRuns.h"

using namespace vwb;
using namespace vwb::ui;

namespace {

// A run folder with `steps` step lines (epochs of stepsPerEpoch) and, with config, its config.json.
QString writeRun(const QString& dir, int steps, int stepsPerEpoch, bool config) {
  QDir().mkpath(dir);
  if (config) {
    QFile f(dir + "/config.json");
    f.open(QIODevice::WriteOnly);
    f.write(QString(R"({"epochs": %1, "steps_per_epoch": %2})").arg(steps / stepsPerEpoch).arg(stepsPerEpoch).toUtf8());
  }
  QFile m(dir + "/metrics.jsonl");
  m.open(QIODevice::WriteOnly);
  for (int i = 1; i <= steps; ++i) {
    m.write(QString(R"({"type":"step","step":%1,"epoch":%2,"loss":%3,"lr":0.001})" "\n")
                .arg(i).arg((i - 1) / stepsPerEpoch + 1).arg(1.0 / i).toUtf8());
    if (i % stepsPerEpoch == 0)
      m.write(QString(R"({"type":"epoch","epoch":%1,"train_loss":0.5,"val_loss":0.4,"val_dice":0.3})" "\n")
                  .arg(i / stepsPerEpoch).toUtf8());
  }
  return QDir(dir).absolutePath();
}

}  // namespace

class TestComparedRuns : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void addsNamesColoursAndRefuses() {
    auto engine = makeRealEngine();
    auto tmp = vwbtest::scratchDir();
    const QString shown = writeRun(tmp.filePath("a/run"), 4, 2, true);
    const QString other = writeRun(tmp.filePath("b/other"), 12, 4, true);
    const QString noConfig = writeRun(tmp.filePath("c/other"), 9, 3, false);
    ComparedRuns runs(*engine);
    QSignalSpy added(&runs, &ComparedRuns::added), removed(&runs, &ComparedRuns::removed);

    QCOMPARE(runs.add(tmp.filePath("b/other"), shown), QString());
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.front().front().toString(), other);
    const ComparedRun& first = *runs.runs().back();
    QCOMPARE(first.name, QString("other"));
    QCOMPARE(first.series.lossRaw.size(), 12);
    QCOMPARE(first.series.valDice.size(), 3);
    QCOMPARE(first.series.stepsPerEpoch, int64_t(4));  // from its config.json

    // The same folder name again: told apart by its parent; its epoch length estimated from the
    // step lines (no config.json); a colour of its own.
    QCOMPARE(runs.add(noConfig, shown), QString());
    const ComparedRun& second = *runs.runs().back();
    QCOMPARE(second.name, QString("c/other"));
    QCOMPARE(second.series.stepsPerEpoch, int64_t(3));
    QVERIFY(second.color != first.color);
    QCOMPARE(runs.dirs(), (QStringList{other, noConfig}));

    // Refused, saying why: the run shown, one compared already, one without readable metrics.
    QVERIFY(runs.add(shown, shown).contains("is the run shown"));
    QVERIFY(runs.add(other, shown).contains("compared already"));
    const QString missing = runs.add(tmp.filePath("missing"), shown);
    QVERIFY2(missing.startsWith("Cannot compare") && missing.contains("metrics.jsonl"), qPrintable(missing));
    QCOMPARE(added.count(), 2);

    runs.remove(other);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(runs.dirs(), QStringList{noConfig});
    runs.remove(other);  // not there: nothing happens
    QCOMPARE(removed.count(), 1);
    // The freed colour is the first offered again.
    const QString third = writeRun(tmp.filePath("d/third"), 2, 1, true);
    QCOMPARE(runs.add(third, shown), QString());
    QCOMPARE(runs.runs().back()->color, first.color);
  }
};

QTEST_MAIN(TestComparedRuns)
#include "TestComparedRuns.moc"

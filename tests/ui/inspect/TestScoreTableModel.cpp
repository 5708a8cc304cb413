// The Predictions page's score table as a model (ui/inspect/ScoreTableModel, no widgets): one row
// per volume with its role, the engine's terms sorted by value (absent ones "—", sorting first),
// the official intermediate numbers as tooltips; and the headline: the validation mean (a volume
// unlabeled everywhere left out and said so), training volumes apart, a mean "split unknown"
// when the run records none, with the post-processing the rows were scored with.
#include <QtTest>

#include "engine/metrics/Score.h"
#include "ui/inspect/PostProcessRecord.h"
#include "ui/inspect/ScoreTableModel.h"

using namespace vwb;
using namespace vwb::inspect;

namespace {

InspectRow scored(const std::string& id, double score, bool allIgnored = false) {
  InspectRow r;
  r.id = id;
  r.labeled = r.predicted = true;
  r.shape = Shape3{4, 5, 6};
  r.score.score = score;
  r.score.surfaceDice = score / 2;
  r.score.voiScore = score / 3;
  r.score.topoScore = score / 4;
  r.score.allIgnored = allIgnored;
  r.foregroundFraction = 0.25;
  r.components = 3;
  return r;
}

int rowOf(const ScoreTableModel& m, const QString& id) {
  for (int r = 0; r < m.rowCount(); ++r)
    if (m.item(r, ScoreTableModel::Id)->text() == id) return r;
  return -1;
}

}  // namespace

class TestScoreTableModel : public QObject {
  Q_OBJECT

  std::vector<InspectRow> rows_;
  RunSplit split_;

 private Q_SLOTS:
  void initTestCase() {
    rows_ = {scored("v1", 0.6), scored("v2", 1.0, true), scored("t1", 0.9)};
    InspectRow test;  // a test volume, predicted: no score
    test.id = "x";
    test.predicted = true;
    test.shape = Shape3{4, 5, 6};
    rows_.push_back(test);
    InspectRow waiting;  // labelled, not predicted yet
    waiting.id = "u";
    waiting.labeled = true;
    rows_.push_back(waiting);
    split_.source = "split.json";
    split_.roles = {{"v1", VolumeRole::Validation}, {"v2", VolumeRole::Validation}, {"t1", VolumeRole::Train},
                    {"u", VolumeRole::Validation}};
  }

  void rowsSortByValueWithTermsAsTooltips() {
    ScoreTableModel model;
    QCOMPARE(model.columnCount(), int(ScoreTableModel::ColumnCount));
    QCOMPARE(model.headerData(ScoreTableModel::Score, Qt::Horizontal).toString(), QString("Score"));
    model.setRows(rows_, split_, ScoreTableModel::Score, Qt::DescendingOrder);
    QCOMPARE(model.rowCount(), 5);
    // Best first; the unscored ("—", -1) last.
    QCOMPARE(model.item(0, ScoreTableModel::Id)->text(), QString("v2"));
    QCOMPARE(model.item(1, ScoreTableModel::Id)->text(), QString("t1"));
    QCOMPARE(model.item(2, ScoreTableModel::Id)->text(), QString("v1"));
    const int v1 = rowOf(model, "v1"), x = rowOf(model, "x"), u = rowOf(model, "u"), t1 = rowOf(model, "t1");
    QCOMPARE(model.item(v1, ScoreTableModel::Score)->data(Qt::UserRole).toDouble(), 0.6);
    QCOMPARE(model.item(v1, ScoreTableModel::Score)->text(), QString("0.6000"));
    QCOMPARE(model.item(v1, ScoreTableModel::Role)->text(), roleName(VolumeRole::Validation));
    QCOMPARE(model.item(v1, ScoreTableModel::Foreground)->text(), QString("25.00"));
    QCOMPARE(model.item(v1, ScoreTableModel::Components)->text(), QString("3"));
    QVERIFY(model.item(v1, ScoreTableModel::VoiScore)->toolTip().contains("VOI"));
    QVERIFY(model.item(v1, ScoreTableModel::TopoScore)->toolTip().contains("Betti matching"));
    QCOMPARE(model.item(x, ScoreTableModel::Score)->text(), QString("—"));
    QCOMPARE(model.item(x, ScoreTableModel::Score)->data(Qt::UserRole).toDouble(), -1.0);
    QCOMPARE(model.item(x, ScoreTableModel::Role)->text(), roleName(VolumeRole::Test));
    QCOMPARE(model.item(u, ScoreTableModel::Shape)->text(), QString("not predicted"));
    QVERIFY(model.item(t1, ScoreTableModel::Role)->toolTip().contains("flatters"));
    QVERIFY(model.item(rowOf(model, "v2"), ScoreTableModel::Score)->toolTip().contains("left out"));
    // Ascending by id: the view's other sort is kept too.
    model.setRows(rows_, split_, ScoreTableModel::Id, Qt::AscendingOrder);
    QCOMPARE(model.item(0, ScoreTableModel::Id)->text(), QString("t1"));
    QCOMPARE(model.item(4, ScoreTableModel::Id)->text(), QString("x"));
  }

  void headlineIsTheValidationMean() {
    PostProcessOptions post;
    post.threshold = 0.35;
    const QString text = ScoreTableModel::summary(rows_, split_, post, true);
    const VolumeScore validation = meanScore({rows_[0].score, rows_[1].score});  // v2 left out by the engine's mean
    QCOMPARE(validation.score, 0.6);
    QVERIFY2(text.contains(QString("Validation mean %1</b> over 1 (1 left out: unlabeled everywhere)")
                               .arg(validation.score, 0, 'f', 4)),
             qPrintable(text));
    QVERIFY2(text.contains("Training volumes (seen in training, not an estimate): mean 0.9000 over 1"), qPrintable(text));
    QVERIFY2(text.contains(describePostProcess(post).toHtmlEscaped()), qPrintable(text));
    QVERIFY(!text.contains("split unknown"));

    // No split recorded: one mean over every scored labelled volume, said so.
    const QString unknown = ScoreTableModel::summary(rows_, RunSplit{}, post, true);
    const VolumeScore all = meanScore({rows_[0].score, rows_[1].score, rows_[2].score});
    QVERIFY2(unknown.contains(QString("Mean score %1</b> over 2 (1 left out").arg(all.score, 0, 'f', 4)) &&
                 unknown.contains("split unknown"),
             qPrintable(unknown));
    // Every labelled volume trained on: no validation mean, said so.
    RunSplit allTrain = split_;
    for (auto& [id, role] : allTrain.roles) role = VolumeRole::Train;
    QVERIFY(ScoreTableModel::summary(rows_, allTrain, post, true).contains("No validation volumes"));
    QVERIFY(ScoreTableModel::summary({}, split_, post, false).contains("No dataset open"));
    QVERIFY(ScoreTableModel::summary({rows_[3]}, split_, post, true).contains("No scores yet"));
  }
};

QTEST_MAIN(TestScoreTableModel)
#include "TestScoreTableModel.moc"

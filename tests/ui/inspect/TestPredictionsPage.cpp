// The predictions page lists the engine's scores: the table's SurfaceDice, VOI_score,
// TopoScore and score equal scoreVolume on the post-processed saved probabilities; a new
// threshold re-scores (no network) and rewrites the test masks; rows sort by score; a missing
// checkpoint is reported; double-click hands volume, prediction and label to the viewer.
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QtTest>

#include "FakeEngine.h"
#include "InspectFixture.h"
#include "TestSupport.h"
#include "engine/infer/PostProcess.h"
#include "engine/metrics/Score.h"
#include "engine/train/TrainConfig.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/MaskStats.h"
#include "ui/inspect/PredictionsPage.h"
#include "ui/inspect/RunLocator.h"

using namespace vwb;
using namespace vwb::inspect;

namespace {

int rowOf(QStandardItemModel* m, const QString& id) {
  for (int r = 0; r < m->rowCount(); ++r)
    if (m->item(r, PredictionsPage::Id)->text() == id) return r;
  return -1;
}

double cellValue(QStandardItemModel* m, int row, int column) { return m->item(row, column)->data(Qt::UserRole).toDouble(); }

}  // namespace

class TestPredictionsPage : public QObject {
  Q_OBJECT

  QTemporaryDir dir_ = vwbtest::scratchDir();
  vwbtest::InspectFixture fixture_;
  std::unique_ptr<ui::WorkbenchContext> context_;
  std::unique_ptr<PredictionsPage> page_;

  void compareWithEngine(double threshold) {
    PostProcessOptions post;
    post.threshold = threshold;
    QStandardItemModel* m = page_->model();
    QCOMPARE(m->rowCount(), 4);
    for (const char* id : {"a", "b"}) {
      const VolumeU8 mask = postprocess(*fixture_.probabilities[id], post);
      const VolumeScore expected = scoreVolume(mask, *fixture_.labels[id]);
      const int row = rowOf(m, id);
      QVERIFY(row >= 0);
      QCOMPARE(m->item(row, PredictionsPage::Role)->text(), QString("labeled"));
      QCOMPARE(cellValue(m, row, PredictionsPage::SurfaceDice), expected.surfaceDice);
      QCOMPARE(cellValue(m, row, PredictionsPage::VoiScore), expected.voiScore);
      QCOMPARE(cellValue(m, row, PredictionsPage::TopoScore), expected.topoScore);
      QCOMPARE(cellValue(m, row, PredictionsPage::Score), expected.score);
      const MaskStats stats = maskStats(mask);
      QCOMPARE(cellValue(m, row, PredictionsPage::Components), double(stats.components));
      QCOMPARE(cellValue(m, row, PredictionsPage::Foreground), stats.foregroundFraction * 100);
    }
    // Test volumes: no score, but their masks are what the export will zip.
    for (const char* id : {"t1", "t2"}) {
      const int row = rowOf(m, id);
      QCOMPARE(m->item(row, PredictionsPage::Role)->text(), QString("test"));
      QCOMPARE(m->item(row, PredictionsPage::Score)->text(), QString("—"));
      const VolumeU8 written = readVolumeU8(maskDir(fixture_.runDir.toStdString()) + "/" + id + ".tif");
      QVERIFY(written.data == postprocess(*fixture_.probabilities[id], post).data);
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    fixture_ = vwbtest::InspectFixture::write(dir_.path());
    context_ = std::make_unique<ui::WorkbenchContext>(ui::makeRealEngine());
    context_->setDataset(fixture_.dataset, std::nullopt);
    page_ = std::make_unique<PredictionsPage>(*context_);
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    context_->setRunDir(fixture_.runDir);  // the saved probabilities are loaded and scored
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
  }

  void tableHoldsTheEnginesScores() {
    compareWithEngine(0.5);
    // The shifted prediction of 'b' scores lower than 'a': the numbers are not all alike.
    QStandardItemModel* m = page_->model();
    QVERIFY(cellValue(m, rowOf(m, "a"), PredictionsPage::Score) > cellValue(m, rowOf(m, "b"), PredictionsPage::Score));
    // Labeled volumes keep no masks in the submission folder.
    QVERIFY(!QFileInfo::exists(QString::fromStdString(maskDir(fixture_.runDir.toStdString())) + "/a.tif"));
  }

  void thresholdChangeRescoresWithoutTheNetwork() {
    QStandardItemModel* m = page_->model();
    const double before = cellValue(m, rowOf(m, "a"), PredictionsPage::Foreground);
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    page_->thresholdSpin()->setValue(0.85);
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    compareWithEngine(0.85);
    QVERIFY(cellValue(m, rowOf(m, "a"), PredictionsPage::Foreground) < before);
  }

  void rowsSortByScore() {
    QStandardItemModel* m = page_->model();
    for (Qt::SortOrder order : {Qt::DescendingOrder, Qt::AscendingOrder}) {
      page_->table()->sortByColumn(PredictionsPage::Score, order);
      for (int r = 1; r < m->rowCount(); ++r) {
        const double prev = cellValue(m, r - 1, PredictionsPage::Score), now = cellValue(m, r, PredictionsPage::Score);
        QVERIFY(order == Qt::DescendingOrder ? prev >= now : prev <= now);
      }
    }
    // The two test rows (no score) sort last when descending.
    page_->table()->sortByColumn(PredictionsPage::Score, Qt::DescendingOrder);
    QCOMPARE(m->item(2, PredictionsPage::Role)->text(), QString("test"));
    QVERIFY(m->item(0, PredictionsPage::Id)->text() == "a" || m->item(0, PredictionsPage::Id)->text() == "b");
  }

  void missingCheckpointIsReported() {
    QSignalSpy failed(page_.get(), &PredictionsPage::taskFailed);
    page_->setCheckpoint(dir_.path() + "/nope.pt");
    page_->startPrediction();
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.first().first().toString().contains("nope.pt"));
  }

  void doubleClickOpensTheViewer() {
    QSignalSpy view(page_.get(), &PredictionsPage::viewRequested);
    const QModelIndex index = page_->model()->index(rowOf(page_->model(), "b"), PredictionsPage::Id);
    Q_EMIT page_->table()->doubleClicked(index);
    QVERIFY(view.wait(vwbtest::kLastResortMs));
    const auto volumes = view.first().first().value<viewer::ViewerVolumes>();
    QCOMPARE(volumes.title, QString("b"));
    QVERIFY(volumes.ct && volumes.prediction && volumes.groundTruth);
    QCOMPARE(volumes.ct->shape, (Shape3{32, 32, 40}));
    QVERIFY(volumes.prediction->data == fixture_.probabilities["b"]->data);
    QVERIFY(volumes.groundTruth->data == fixture_.labels["b"]->data);
    QCOMPARE(view.first().at(1).toDouble(), 0.85);
  }

  // Roles as the trainer split them (split.json); the headline is the validation mean and the
  // training volumes' mean is shown apart and marked.
  void rolesFromTheRunsSplit() {
    const QString splitPath = fixture_.runDir + "/split.json";
    {
      QFile f(splitPath);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(R"({"train": ["a"], "validation": ["b"], "reason": "test split"})");
    }
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    page_->reload();
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QStandardItemModel* m = page_->model();
    QCOMPARE(m->item(rowOf(m, "a"), PredictionsPage::Role)->text(), QString("train"));
    QCOMPARE(m->item(rowOf(m, "b"), PredictionsPage::Role)->text(), QString("validation"));
    QCOMPARE(m->item(rowOf(m, "t1"), PredictionsPage::Role)->text(), QString("test"));
    const QString b = QString::number(cellValue(m, rowOf(m, "b"), PredictionsPage::Score), 'f', 4);
    const QString a = QString::number(cellValue(m, rowOf(m, "a"), PredictionsPage::Score), 'f', 4);
    const QString summary = page_->summaryText();
    QVERIFY2(summary.startsWith("<b>Validation mean " + b + "</b> over 1 held-out"), qPrintable(summary));
    QVERIFY2(summary.contains("Training volumes (seen in training, not an estimate): mean " + a + " over 1"), qPrintable(summary));

    // A run from before split.json: the roles come from its config with the trainer's split.
    QVERIFY(QFile::remove(splitPath));
    TrainConfig config;
    config.validation.fraction = 0.5;
    config.run.seed = 7;
    {
      QFile f(fixture_.runDir + "/config.json");
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QByteArray::fromStdString(config.toJson()));
    }
    page_->reload();
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    std::string reason;
    const std::vector<int> val = context_->engine().validationVolumes({"", ""}, 0.5, 7, &reason);
    const char* ids[] = {"a", "b"};  // the dataset's order of labelled volumes
    for (int i = 0; i < 2; ++i) {
      const bool held = std::find(val.begin(), val.end(), i) != val.end();
      QCOMPARE(m->item(rowOf(m, ids[i]), PredictionsPage::Role)->text(), QString(held ? "validation" : "train"));
    }
    QVERIFY(page_->split().source.contains("config.json"));
    QVERIFY(QFile::remove(fixture_.runDir + "/config.json"));
  }

  // A volume labelled 2 (unlabeled) everywhere scores 1: it is out of the mean and of its count.
  void allIgnoredVolumeIsLeftOutOfTheCount() {
    const std::string labelPath = fixture_.dataset.train[1].labelPath;  // 'b'
    const VolumeU8 original = readVolumeU8(labelPath);
    VolumeU8 ignored(original.shape);
    std::fill(ignored.data.begin(), ignored.data.end(), uint8_t{2});
    writeVolumeU8(labelPath, ignored);
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    page_->reload();
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    const QString a = QString::number(cellValue(page_->model(), rowOf(page_->model(), "a"), PredictionsPage::Score), 'f', 4);
    const QString summary = page_->summaryText();
    writeVolumeU8(labelPath, original);
    QVERIFY2(summary.contains("<b>Mean score " + a + "</b> over 1 (1 left out: unlabeled everywhere) labeled volume(s)"),
             qPrintable(summary));
  }

  // Without an open run the pages look at the demo's newest run, but only while the demo's
  // dataset (or none) is open: another dataset must not show the demo's predictions.
  void demoRunsBelongToTheDemoDataset() {
    QTemporaryDir demo = vwbtest::scratchDir();
    QDir(demo.path()).mkpath("data");
    QDir(demo.path()).mkpath("other");
    QDir(demo.path()).mkpath("runs/r1/checkpoints");
    QFile(demo.path() + "/runs/r1/checkpoints/best.pt").open(QIODevice::WriteOnly);
    ui::WorkbenchContext context(std::make_shared<vwbtest::FakeEngine>());
    context.setDemoDir(demo.path());
    const QString r1 = QFileInfo(demo.path() + "/runs/r1").absoluteFilePath();
    QCOMPARE(inspectedRunDir(context), r1);  // no dataset open
    context.setDataset(vwbtest::fakeDataset((demo.path() + "/data").toStdString()), vwbtest::fakeFingerprint());
    QCOMPARE(inspectedRunDir(context), r1);
    context.setDataset(vwbtest::fakeDataset((demo.path() + "/other").toStdString()), vwbtest::fakeFingerprint());
    QCOMPARE(inspectedRunDir(context), QString());
    context.setRunDir(demo.path() + "/runs/r1");  // an open run is shown whatever the dataset
    QCOMPARE(inspectedRunDir(context), demo.path() + "/runs/r1");
  }

  void cleanupTestCase() {
    page_.reset();
    context_.reset();
  }
};

QTEST_MAIN(TestPredictionsPage)
#include "TestPredictionsPage.moc"

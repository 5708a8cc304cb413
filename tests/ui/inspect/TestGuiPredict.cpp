// Predicting from the GUI with a real checkpoint: a tiny UNet is trained for a few steps on
// synthetic scrolls, then the Predictions page's Predict button runs it with the TTA and
// threshold chosen in its widgets. The prediction reports progress tile by tile, writes every
// volume's probabilities (the volume's shape, the bytes the engine's Predictor gives with those
// options) and the test masks, and the table shows the engine's scores. An ensemble of two
// checkpoints (this run's and another run's, chosen in the page's model list with weights) gives
// the engine's EnsemblePredictor's probabilities. Cancel in mid-run, or closing the page, leaves
// the run's files exactly as they were, with no temporary file behind.
#include <QComboBox>
#include <QDirIterator>
#include <QDoubleSpinBox>
#include <QCheckBox>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QtTest>

#include "TestSupport.h"
#include "TinyTrainConfig.h"
#include "engine/infer/EnsemblePredictor.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/Predictor.h"
#include "engine/io/TiffVolume.h"
#include "engine/metrics/Score.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/PredictionsPage.h"
#include "ui/inspect/RunLocator.h"

using namespace vwb;
using namespace vwb::inspect;

namespace {

// Every file under dir (hidden ones too) with its bytes.
std::map<QString, QByteArray> snapshot(const QString& dir) {
  std::map<QString, QByteArray> files;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    QFile f(it.next());
    if (f.open(QIODevice::ReadOnly)) files[it.filePath()] = f.readAll();
  }
  return files;
}

// Why a folder's files are not as they were (a temporary or staging file left, a file changed,
// one added or removed), or "" when they are.
QString changedSince(const std::map<QString, QByteArray>& before, const std::map<QString, QByteArray>& after) {
  for (const auto& [path, bytes] : after) {
    if (path.contains(".tmp") || path.contains(".partial")) return path + " left behind";
    if (!before.count(path) || before.at(path) != bytes) return path + " changed";
  }
  if (after.size() != before.size())
    return QString("%1 files before, %2 after").arg(before.size()).arg(after.size());
  return {};
}

int rowOf(QStandardItemModel* m, const QString& id) {
  for (int r = 0; r < m->rowCount(); ++r)
    if (m->item(r, PredictionsPage::Id)->text() == id) return r;
  return -1;
}

}  // namespace

class TestGuiPredict : public QObject {
  Q_OBJECT

  QTemporaryDir scratch_ = vwbtest::scratchDir();
  ui::EnginePtr engine_ = ui::makeRealEngine();
  std::unique_ptr<ui::WorkbenchContext> context_;
  std::unique_ptr<PredictionsPage> page_;
  QString run_, otherRun_;

  template <class T>
  T* child(const char* name) {
    T* w = page_->findChild<T*>(name);
    if (!w) qFatal("the predictions page has no %s", name);
    return w;
  }

  // Clicks a check box where a user would (on its box).
  static void click(QCheckBox* box) { QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(6, box->height() / 2)); }

  // Clicks Predict on `page`; when it asks first (a long prediction), answers with `button`.
  static void predict(QWidget* page, const char* button = "predictAnyway") {
    QTest::mouseClick(page->findChild<QPushButton*>("predict"), Qt::LeftButton);
    if (auto* box = page->findChild<QMessageBox*>("longPrediction"))
      QTest::mouseClick(box->findChild<QPushButton*>(button), Qt::LeftButton);
  }

 private Q_SLOTS:
  void initTestCase() {
#if !(VWB_HAVE_TRAIN && VWB_HAVE_DATA)
    QSKIP("this build has no trainer or dataset module (engine/train, engine/data)");
#endif
    QElapsedTimer clock;
    clock.start();
    const std::string data = scratch_.filePath("data").toStdString();
    SynthOptions o;
    o.train = 3;
    o.test = 1;
    o.size = {32, 32, 32};
    engine_->writeSyntheticDataset(data, o, nullptr);

    run_ = scratch_.filePath("run");
    TrainConfig c = vwbtest::tinyTrainConfig(data, run_.toStdString(), 1, 4);
    c.optimizer.emaDecay = 0.9;  // checkpoints/ema.pt: a second model of this run
    TrainingSink quiet;
    CancelToken never;
    RunEndEvent end = engine_->runTraining(c, quiet, never);
    QCOMPARE(int(end.outcome), int(RunOutcome::Finished));
    QVERIFY(QFileInfo::exists(run_ + "/checkpoints/ema.pt"));
    // Another run, other initial weights: the other member of the ensemble.
    otherRun_ = scratch_.filePath("other-run");
    TrainConfig c2 = vwbtest::tinyTrainConfig(data, otherRun_.toStdString(), 1, 4);
    c2.run.seed = 77;
    end = engine_->runTraining(c2, quiet, never);
    QCOMPARE(int(end.outcome), int(RunOutcome::Finished));
    qInfo("synthetic data + 2 x 4 training steps: %lld ms", clock.elapsed());

    context_ = std::make_unique<ui::WorkbenchContext>(engine_);
    context_->setDataset(engine_->scanDataset(data, nullptr, nullptr), std::nullopt);
    context_->setRunDir(run_);
    page_ = std::make_unique<PredictionsPage>(*context_);
    page_->resize(1100, 600);
    page_->show();
  }

  void predictButtonRunsTheCheckpointWithTheChosenOptions() {
    // The page found the run's checkpoint by itself: one model, the plain prediction.
    QCOMPARE(page_->ensemble().size(), size_t(1));
    const QString checkpoint = page_->ensemble().front().checkpoint;
    QVERIFY2(checkpoint.startsWith(run_ + "/checkpoints/") && QFileInfo::exists(checkpoint), qPrintable(checkpoint));
    QCOMPARE(child<QTableWidget>("models")->item(0, 0)->text(), QFileInfo(checkpoint).fileName());
    QCOMPARE(page_->model()->rowCount(), 4);
    QCOMPARE(page_->model()->item(0, PredictionsPage::Shape)->text(), QString("not predicted"));

    // What to predict: validation and test volumes by default, the training ones on request.
    QVERIFY(child<QCheckBox>("predictValidation")->isChecked());
    QVERIFY(child<QCheckBox>("predictTest")->isChecked());
    QVERIFY(!child<QCheckBox>("predictTraining")->isChecked());
    QVERIFY(!child<QCheckBox>("predictTraining")->isHidden());
    size_t notTrained = 0;  // the validation and test volumes, as the run's split.json has them
    for (const auto& v : page_->session().volumes()) notTrained += page_->split().role(v.id, v.labeled()) != VolumeRole::Train;
    QVERIFY(notTrained >= 2 && notTrained < 4);
    QCOMPARE(page_->idsToPredict().size(), notTrained);
    click(child<QCheckBox>("predictTraining"));
    QCOMPARE(page_->idsToPredict().size(), size_t(4));
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::Flips));
    // The estimate: tiles from the checkpoint's patch; no rate measured yet.
    QVERIFY2(page_->estimateText().contains("tiles") && page_->estimateText().contains("measured on the first tiles"),
             qPrintable(page_->estimateText()));
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    page_->thresholdSpin()->setValue(0.4);  // re-scores (nothing predicted yet)
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);

    // The prediction's progress (the scoring that follows counts volumes, on a range of 4).
    std::vector<int> progress;
    QProgressBar* bar = child<QProgressBar>("progress");
    // The connection lives as long as `recording`: a failed check that leaves this function
    // early cannot leave the bar calling into this dead frame while the prediction goes on.
    QObject recording;
    connect(bar, &QProgressBar::valueChanged, &recording, [&progress, bar](int v) {
      if (bar->maximum() > 4) progress.push_back(v);
    });
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(child<QPushButton>("predict"), Qt::LeftButton);
    QVERIFY(page_->busy());
    QVERIFY(child<QPushButton>("cancel")->isEnabled());
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    qInfo("GUI prediction of 4 volumes (TTA flips): %lld ms, %zu progress updates", clock.elapsed(), progress.size());
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    QVERIFY2(child<QLabel>("stage")->text().contains("done"), qPrintable(child<QLabel>("stage")->text()));
    QVERIFY2(progress.size() > 8, "progress should move tile by tile, not once per volume");
    // The rate measured by this prediction now gives the next one a time.
    QTRY_VERIFY2_WITH_TIMEOUT(page_->estimateText().contains("measured here"), qPrintable(page_->estimateText()),
                              vwbtest::kLastResortMs);
    QObject::disconnect(bar, nullptr, &recording, nullptr);
    QVERIFY(std::is_sorted(progress.begin(), progress.end()));
    QCOMPARE(progress.back(), 4 * 1000);  // 1000 steps per volume

    // Every volume's probabilities on disk, with the volume's shape.
    const std::string probDir = probabilityDir(run_.toStdString());
    const PostProcessOptions post = page_->postProcessOptions();
    QCOMPARE(post.threshold, 0.4);
    for (const auto& v : page_->session().volumes()) {
      const VolumeU8 image = readVolumeU8(v.imagePath);
      const VolumeU8 prob = readVolumeU8(probDir + "/" + v.id + ".tif");
      QCOMPARE(prob.shape, image.shape);
      QVERIFY(prob.data == page_->session().probability(v.id)->data);
      const int row = rowOf(page_->model(), QString::fromStdString(v.id));
      if (v.labeled()) {
        // The table's score is the engine's score of the post-processed probabilities.
        const VolumeScore expected = scoreVolume(postprocess(prob, post), readVolumeU8(v.labelPath));
        QCOMPARE(page_->model()->item(row, PredictionsPage::Score)->data(Qt::UserRole).toDouble(), expected.score);
        QCOMPARE(page_->model()->item(row, PredictionsPage::SurfaceDice)->data(Qt::UserRole).toDouble(),
                 expected.surfaceDice);
      } else {
        const VolumeU8 mask = readVolumeU8(maskDir(run_.toStdString()) + "/" + v.id + ".tif");
        QVERIFY(mask.data == postprocess(prob, post).data);
      }
    }

    // The GUI ran this checkpoint with flip TTA: the engine's Predictor with those options gives
    // the same bytes, and without TTA different ones.
    const InspectVolume& first = page_->session().volumes().front();
    const VolumeU8 image = readVolumeU8(first.imagePath);
    const VolumeU8 gui = readVolumeU8(probDir + "/" + first.id + ".tif");
    PredictOptions options = page_->predictOptions();
    QCOMPARE(int(options.tta), int(Tta::Flips));
    const VolumeU8 direct = Predictor(checkpoint.toStdString(), options).predict(image);
    int64_t off = 0;
    // Same checkpoint, options and tiles; only the batching of tiles differs, which can move a
    // float probability across a uint8 rounding boundary: one level at most.
    for (size_t i = 0; i < gui.data.size(); ++i) off += std::abs(int(gui.data[i]) - int(direct.data[i])) > 1;
    QCOMPARE(off, int64_t(0));
    options.tta = Tta::None;
    QVERIFY(Predictor(checkpoint.toStdString(), options).predict(image).data != gui.data);
  }

  // The default choice predicts the validation and test volumes only: the training volumes'
  // saved probabilities stay as they were.
  void defaultChoicePredictsValidationAndTestOnly() {
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    click(child<QCheckBox>("predictTraining"));  // back to the default
    QVERIFY(!child<QCheckBox>("predictTraining")->isChecked());
    const std::vector<std::string> ids = page_->idsToPredict();
    QVERIFY(ids.size() >= 2 && ids.size() < 4);
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::None));  // other probabilities than the flips run's
    const QString probDir = QString::fromStdString(probabilityDir(run_.toStdString()));
    const auto before = snapshot(probDir);
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    predict(page_.get());
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    const auto after = snapshot(probDir);
    QCOMPARE(after.size(), before.size());
    for (const auto& v : page_->session().volumes()) {
      const QString file = probDir + "/" + QString::fromStdString(v.id) + ".tif";
      const bool chosen = std::find(ids.begin(), ids.end(), v.id) != ids.end();
      QVERIFY2(chosen == (before.at(file) != after.at(file)), qPrintable(file + (chosen ? " not predicted" : " predicted")));
    }
  }

  // With a rate measured here, a prediction that would take long is asked about first: the
  // dialog gives its time and the cheaper setting's; choosing that one predicts with it.
  // Cancelling a prediction says "cancelled", not "failed".
  void longPredictionAsksFirstAndCancelSaysCancelled() {
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::Full));
    child<QDoubleSpinBox>("overlap")->setValue(0.875);
    QVERIFY2(page_->estimateText().contains("measured here"), qPrintable(page_->estimateText()));
    const double previous = page_->longPredictionSeconds();
    page_->setLongPredictionSeconds(1.0);  // "long" on this tiny data: a second
    QTest::mouseClick(child<QPushButton>("predict"), Qt::LeftButton);
    QVERIFY(!page_->busy());  // asked first, nothing started
    auto* box = page_->findChild<QMessageBox*>("longPrediction");
    QVERIFY(box);
    QTRY_VERIFY_WITH_TIMEOUT(box->isVisible(), vwbtest::kLastResortMs);
    qInfo() << "asked:" << box->text() << "|" << box->informativeText();
    QVERIFY(box->text().contains("takes about") && box->text().contains("tiles/s"));
    QVERIFY(box->informativeText().contains("no TTA, overlap 0.25"));
    if (!qEnvironmentVariableIsEmpty("VWB_TEST_SCREENSHOTS")) {
      page_->grab().save(qEnvironmentVariable("VWB_TEST_SCREENSHOTS") + "/predictions-estimate.png");
      box->grab().save(qEnvironmentVariable("VWB_TEST_SCREENSHOTS") + "/predictions-long-dialog.png");
    }
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    QTest::mouseClick(box->findChild<QPushButton*>("cheaper"), Qt::LeftButton);
    QCOMPARE(int(page_->predictOptions().tta), int(Tta::None));
    QCOMPARE(page_->predictOptions().overlap, 0.25);
    QVERIFY(page_->busy());
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);

    // A dense prediction, confirmed, then cancelled with the Cancel button.
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::Full));
    child<QDoubleSpinBox>("overlap")->setValue(0.875);
    predict(page_.get(), "predictAnyway");
    QVERIFY(page_->busy());
    QTRY_VERIFY_WITH_TIMEOUT(child<QProgressBar>("progress")->value() > 0, vwbtest::kLastResortMs);
    QTest::mouseClick(child<QPushButton>("cancel"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    const QString stage = child<QLabel>("stage")->text();
    QVERIFY2(stage.contains("cancelled") && !stage.contains("failed"), qPrintable(stage));
    page_->setLongPredictionSeconds(previous);
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::None));
    child<QDoubleSpinBox>("overlap")->setValue(0.5);
  }

  // The model list: this run's ema.pt chosen and added with the buttons, another run's
  // checkpoint as the file dialog hands it, one removed again, weights 0.7 / 0.3. Predict runs
  // the engine's ensemble: the probabilities EnsemblePredictor gives for those checkpoints,
  // weights and options, which neither model gives alone.
  void ensembleOfTwoCheckpointsIsTheEnginesEnsemble() {
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    const QString best = page_->ensemble().front().checkpoint;
    QComboBox* choice = child<QComboBox>("modelChoice");
    const int ema = choice->findData(run_ + "/checkpoints/ema.pt");
    QVERIFY2(ema >= 0, "the run's ema.pt is offered");
    QVERIFY(choice->findData(run_ + "/checkpoints/best.pt") >= 0);
    choice->setCurrentIndex(ema);
    QTest::mouseClick(child<QPushButton>("addModel"), Qt::LeftButton);
    QTableWidget* models = child<QTableWidget>("models");
    QCOMPARE(models->rowCount(), 2);
    QVERIFY(choice->currentData().toString() != run_ + "/checkpoints/ema.pt");  // offers what is not listed
    choice->setCurrentIndex(ema);
    QTest::mouseClick(child<QPushButton>("addModel"), Qt::LeftButton);  // already there: refused
    QCOMPARE(models->rowCount(), 2);
    QCOMPARE(models->item(1, 0)->text(), QString("ema.pt"));
    QVERIFY(child<QLabel>("stage")->text().contains("already"));
    const QString other = otherRun_ + "/checkpoints/best.pt";
    page_->addCheckpoint(other);  // what "Other checkpoint…" gets from its file dialog
    QCOMPARE(models->rowCount(), 3);
    QCOMPARE(models->item(2, 0)->text(), QString("other-run/best.pt"));
    models->selectRow(1);
    QTest::mouseClick(child<QPushButton>("removeModel"), Qt::LeftButton);
    QCOMPARE(models->rowCount(), 2);
    static_cast<QDoubleSpinBox*>(models->cellWidget(0, 1))->setValue(0.7);
    static_cast<QDoubleSpinBox*>(models->cellWidget(1, 1))->setValue(0.3);
    const auto members = page_->ensemble();
    QCOMPARE(members[0].checkpoint, best);
    QCOMPARE(members[1].checkpoint, other);
    QCOMPARE(members[1].weight, 0.3);

    child<QComboBox>("tta")->setCurrentIndex(int(Tta::None));
    std::vector<int> progress;
    QProgressBar* bar = child<QProgressBar>("progress");
    QObject recording;
    connect(bar, &QProgressBar::valueChanged, &recording, [&progress, bar](int v) {
      if (bar->maximum() > 4) progress.push_back(v);
    });
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    click(child<QCheckBox>("predictTraining"));  // every volume, as the engine's ensemble below
    predict(page_.get());
    QVERIFY(page_->busy());
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    QObject::disconnect(bar, nullptr, &recording, nullptr);
    QVERIFY2(child<QLabel>("stage")->text().contains("ensemble of 2"), qPrintable(child<QLabel>("stage")->text()));
    // Both models' tiles count, in turn: progress only rises, to the end.
    QVERIFY(std::is_sorted(progress.begin(), progress.end()));
    QCOMPARE(progress.back(), 4 * 1000);

    const std::string probDir = probabilityDir(run_.toStdString());
    const PredictOptions options = page_->predictOptions();
    EnsemblePredictor direct({best.toStdString(), other.toStdString()}, {0.7, 0.3}, options);
    Predictor alone(best.toStdString(), options);
    int64_t differ = 0, voxels = 0;
    for (const auto& v : page_->session().volumes()) {
      const VolumeU8 image = readVolumeU8(v.imagePath);
      const VolumeU8 gui = readVolumeU8(probDir + "/" + v.id + ".tif");
      const VolumeU8 expected = direct.predict(image);
      QCOMPARE(gui.shape, image.shape);
      // As above: tile batching may move a probability across a uint8 rounding boundary.
      int64_t off = 0;
      for (size_t i = 0; i < gui.data.size(); ++i) off += std::abs(int(gui.data[i]) - int(expected.data[i])) > 1;
      QCOMPARE(off, int64_t(0));
      const VolumeU8 single = alone.predict(image);
      for (size_t i = 0; i < gui.data.size(); ++i) differ += std::abs(int(gui.data[i]) - int(single.data[i])) > 1;
      voxels += int64_t(gui.data.size());
    }
    qInfo("ensemble vs its first model alone: %lld of %lld voxels differ by more than 1/255", (long long)differ, (long long)voxels);
    QVERIFY2(differ > voxels / 10, "the second model changes the probabilities: a check that can fail");
    page_->setCheckpoint(best);  // the tests below predict with one model
  }

  void init() {
    // An earlier test function that failed may have left its prediction running: let it end
    // (or cancel it) so that this one starts from an idle page.
    if (page_ && page_->busy()) {
      page_->cancel();
      QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    }
  }

  void cancelLeavesTheRunAsItWas() {
    const auto before = snapshot(run_);
    const double scoreBefore = page_->model()->item(0, PredictionsPage::Score)->data(Qt::UserRole).toDouble();
    // Full TTA and dense tiles (27x the tiles of overlap 0.5): minutes of work, so the cancel
    // surely lands mid-run, on any machine.
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::Full));
    child<QDoubleSpinBox>("overlap")->setValue(0.875);
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    predict(page_.get());
    QVERIFY(page_->busy());
    // Cancel once the first volume is part-way done (the worker is inside the network).
    QTRY_VERIFY_WITH_TIMEOUT(child<QProgressBar>("progress")->value() > 0, vwbtest::kLastResortMs);
    QTest::mouseClick(child<QPushButton>("cancel"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    QVERIFY2(child<QLabel>("stage")->text().contains("cancelled"), qPrintable(child<QLabel>("stage")->text()));
    QCOMPARE(updated.count(), 0);

    const QString changed = changedSince(before, snapshot(run_));
    QVERIFY2(changed.isEmpty(), qPrintable(changed));
    QCOMPARE(page_->model()->item(0, PredictionsPage::Score)->data(Qt::UserRole).toDouble(), scoreBefore);
  }

  // Models never measured here (a new ensemble): the prediction starts, reports tiles and time
  // left as it goes, and once its first seconds have measured the rate it asks whether to go on;
  // "Stop, use" the cheaper setting stops it and predicts with that one instead.
  void unmeasuredLongPredictionAsksInItsFirstSeconds() {
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    const QString best = run_ + "/checkpoints/best.pt";
    page_->setCheckpoint(best);
    page_->addCheckpoint(run_ + "/checkpoints/ema.pt");
    QVERIFY2(page_->estimateText().contains("measured on the first tiles"), qPrintable(page_->estimateText()));
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::Full));
    child<QDoubleSpinBox>("overlap")->setValue(0.875);
    const double previous = page_->longPredictionSeconds();
    page_->setLongPredictionSeconds(1.0);
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    QTest::mouseClick(child<QPushButton>("predict"), Qt::LeftButton);
    QVERIFY(page_->busy());  // nothing to ask before: no rate yet
    QMessageBox* box = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((box = page_->findChild<QMessageBox*>("longPrediction")) && box->isVisible(), vwbtest::kLastResortMs);
    qInfo() << "asked while predicting:" << box->text() << "|" << box->informativeText();
    QVERIFY(box->text().contains("more") && box->text().contains("first seconds"));
    QVERIFY2(page_->estimateText().contains("left"), qPrintable(page_->estimateText()));
    QVERIFY(page_->busy());  // the question does not hold the prediction up
    QTest::mouseClick(box->findChild<QPushButton*>("cheaper"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(int(page_->predictOptions().tta), int(Tta::None), vwbtest::kLastResortMs);
    QCOMPARE(page_->predictOptions().overlap, 0.25);
    QVERIFY(updated.wait(vwbtest::kLastResortMs));  // the cheaper prediction ran to its end
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    QVERIFY2(child<QLabel>("stage")->text().contains("done"), qPrintable(child<QLabel>("stage")->text()));
    page_->setLongPredictionSeconds(previous);
    page_->setCheckpoint(best);
  }

  // Closing the page while it predicts (the window or the application closing) cancels the
  // prediction and joins its worker in the destructor: no crash, and the run's files are as
  // they were, with no staging or temporary file behind.
  void destroyingThePageMidPredictionLeavesTheRunAsItWas() {
    auto page = std::make_unique<PredictionsPage>(*context_);
    // An ensemble of two: the worker holds two models.
    QComboBox* choice = page->findChild<QComboBox*>("modelChoice");
    QVERIFY(choice);
    choice->setCurrentIndex(choice->findData(run_ + "/checkpoints/ema.pt"));
    QTest::mouseClick(page->findChild<QPushButton*>("addModel"), Qt::LeftButton);
    QCOMPARE(page->ensemble().size(), size_t(2));
    QComboBox* tta = page->findChild<QComboBox*>("tta");
    QDoubleSpinBox* overlap = page->findChild<QDoubleSpinBox*>("overlap");
    QVERIFY(tta && overlap);
    tta->setCurrentIndex(int(Tta::Full));
    overlap->setValue(0.875);  // minutes of work: the page surely goes mid-run
    // The new page first loads the run's saved predictions and rewrites the test masks with its
    // own post-processing: that is the state the interrupted prediction must leave.
    QTRY_VERIFY_WITH_TIMEOUT(!page->busy(), vwbtest::kLastResortMs);
    const auto before = snapshot(run_);
    predict(page.get());
    QVERIFY(page->busy());
    QProgressBar* bar = page->findChild<QProgressBar*>("progress");
    QTRY_VERIFY_WITH_TIMEOUT(bar->value() > 0, vwbtest::kLastResortMs);
    page.reset();  // cancels, joins
    const auto after = snapshot(run_);
    for (const auto& [path, bytes] : after) {
      QVERIFY2(!path.contains(".tmp") && !path.contains(".partial") && !path.contains("staging"),
               qPrintable(path + " left behind"));
      QVERIFY2(before.count(path) && before.at(path) == bytes, qPrintable(path + " changed"));
    }
    QCOMPARE(after.size(), before.size());
  }

  // A failure mid-way (the last chosen volume's image does not read, after the others were
  // predicted and staged) through the page's Predict button on the real engine: the run's files
  // are exactly as they were, no staging or temporary file is left, the table keeps its scores,
  // and the page says it failed, naming the file. (The engine's one predict-into-a-folder,
  // vwb predict's; TestVwbIntegrity checks the same for vwb predict.)
  void failureMidwayLeavesTheRunAsItWas() {
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    child<QComboBox>("tta")->setCurrentIndex(int(Tta::None));
    child<QDoubleSpinBox>("overlap")->setValue(0.5);
    const std::vector<std::string> ids = page_->idsToPredict();
    QVERIFY(ids.size() >= 2);
    // The session predicts in its volumes' order: the last chosen one fails after the others.
    QString brokenImage;
    for (const auto& v : page_->session().volumes())
      if (std::find(ids.begin(), ids.end(), v.id) != ids.end()) brokenImage = QString::fromStdString(v.imagePath);
    QFile image(brokenImage);
    QVERIFY(image.open(QIODevice::ReadOnly));
    const QByteArray original = image.readAll();
    image.close();
    const auto before = snapshot(run_);
    const double scoreBefore = page_->model()->item(0, PredictionsPage::Score)->data(Qt::UserRole).toDouble();
    QVERIFY(image.open(QIODevice::WriteOnly | QIODevice::Truncate));
    image.write(original.left(300));  // a TIFF header and nothing after it
    image.close();
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    QSignalSpy failed(page_.get(), &PredictionsPage::taskFailed);
    predict(page_.get());
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    QVERIFY(image.open(QIODevice::WriteOnly | QIODevice::Truncate));
    image.write(original);
    image.close();
    QCOMPARE(failed.count(), 1);
    const QString why = failed.front().front().toString();
    QVERIFY2(why.contains(QFileInfo(brokenImage).fileName()), qPrintable(why));
    QCOMPARE(updated.count(), 0);
    const QString changed = changedSince(before, snapshot(run_));
    QVERIFY2(changed.isEmpty(), qPrintable(changed));
    QCOMPARE(page_->model()->item(0, PredictionsPage::Score)->data(Qt::UserRole).toDouble(), scoreBefore);
  }

  void cleanupTestCase() {
    page_.reset();
    context_.reset();
  }
};

QTEST_MAIN(TestGuiPredict)
#include "TestGuiPredict.moc"

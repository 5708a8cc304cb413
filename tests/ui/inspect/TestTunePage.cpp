// Tuning from the predictions page: the Tune button runs vwb tune's search on the run's
// validation probabilities (no network) and gives exactly what the engine's tunePostProcessing
// gives called directly; the page shows the validation mean before and after with both
// settings; Apply makes the tuned setting the run's post-processing (controls, masks, record),
// which the export panel and the viewer then name; a page opened on the run takes its controls
// from the record. Cancel (at once with the real engine, mid-search with a held fake) leaves the
// run's setting as it was; destroying the page while it tunes joins the worker and leaves no
// temporary file.
#include <QCheckBox>
#include <QDirIterator>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QtTest>

#include "FakeEngine.h"
#include "InspectFixture.h"
#include "TestSupport.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/PostProcessTuner.h"
#include "engine/metrics/Score.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/ExportPanel.h"
#include "ui/inspect/PostProcessRecord.h"
#include "ui/inspect/PredictionsPage.h"
#include "ui/inspect/ViewerPage.h"

using namespace vwb;
using namespace vwb::inspect;

namespace {

template <class T>
T* child(QWidget* page, const char* name) {
  T* w = page->findChild<T*>(name);
  if (!w) qFatal("the predictions page has no %s", name);
  return w;
}

QByteArray fileBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Paths of temporary files (QSaveFile's, the engine's *.tmp, prediction staging) under dir.
QStringList temporaryFiles(const QString& dir) {
  QStringList found;
  QDirIterator it(dir, QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString p = it.next();
    if (p.contains(".tmp") || p.contains(".partial") || QFileInfo(p).fileName().startsWith("postprocess.json."))
      found << p;
  }
  return found;
}

int rowOf(QStandardItemModel* m, const QString& id) {
  for (int r = 0; r < m->rowCount(); ++r)
    if (m->item(r, PredictionsPage::Id)->text() == id) return r;
  return -1;
}

}  // namespace

class TestTunePage : public QObject {
  Q_OBJECT

  QTemporaryDir dir_ = vwbtest::scratchDir();
  vwbtest::InspectFixture fixture_;
  std::unique_ptr<ui::WorkbenchContext> context_;
  std::unique_ptr<PredictionsPage> page_;
  PostProcessOptions tuned_;

  QString recordPath() const { return postProcessRecordPath(QString::fromStdString(maskDir(fixture_.runDir.toStdString()))); }

  std::vector<TuneCase> cases() {
    std::vector<TuneCase> out;
    for (const char* id : {"a", "b"}) out.push_back({id, *fixture_.probabilities[id], *fixture_.labels[id]});
    return out;
  }

  double meanAt(const PostProcessOptions& post) {
    std::vector<VolumeScore> scores;
    for (const TuneCase& c : cases()) scores.push_back(scoreVolume(postprocess(c.probability255, post), c.label));
    return meanScore(scores).score;
  }

  void compareControls(QWidget* page, const PostProcessOptions& o) {
    QCOMPARE(child<QDoubleSpinBox>(page, "threshold")->value(), o.threshold);
    QCOMPARE(child<QCheckBox>(page, "plugHoles")->isChecked(), o.plugHoles);
    QCOMPARE(child<QSpinBox>(page, "closing")->value(), o.closingRadius);
    QCOMPARE(child<QSpinBox>(page, "sheetClosing")->value(), o.sheetClosingRadius);
    QCOMPARE(child<QCheckBox>(page, "fillHoles")->isChecked(), o.fillHoles);
    QCOMPARE(child<QSpinBox>(page, "border")->value(), o.borderVoxels);
    QCOMPARE(int64_t(child<QSpinBox>(page, "minComponent")->value()), o.minComponentVoxels);
  }

 private Q_SLOTS:
  void initTestCase() {
    fixture_ = vwbtest::InspectFixture::write(dir_.path());
    // Both labelled volumes held out: the tuning's volumes.
    QFile split(fixture_.runDir + "/split.json");
    QVERIFY(split.open(QIODevice::WriteOnly));
    split.write(R"({"train": [], "validation": ["a", "b"], "reason": "test split"})");
    split.close();
    context_ = std::make_unique<ui::WorkbenchContext>(ui::makeRealEngine());
    context_->setDataset(fixture_.dataset, std::nullopt);
    page_ = std::make_unique<PredictionsPage>(*context_);
    page_->resize(1200, 700);
    page_->show();
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    context_->setRunDir(fixture_.runDir);
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    // A threshold off the search's grid: "before" and "after" surely differ.
    page_->thresholdSpin()->setValue(0.85);
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
  }

  void tuneButtonGivesTheEnginesTune() {
    QVERIFY(!child<QPushButton>(page_.get(), "applyTuned")->isEnabled());
    QSignalSpy done(page_.get(), &PredictionsPage::tuningFinished);
    QTest::mouseClick(child<QPushButton>(page_.get(), "tune"), Qt::LeftButton);
    QVERIFY(page_->busy());
    QVERIFY(child<QPushButton>(page_.get(), "cancel")->isEnabled());
    QVERIFY(!child<QPushButton>(page_.get(), "tune")->isEnabled());
    QVERIFY(done.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);

    const TuneResult direct = tunePostProcessing(cases(), TuneGrid{});
    QVERIFY(page_->lastTuning());
    const ui::PostProcessTuning& t = *page_->lastTuning();
    QVERIFY2(samePostProcess(t.tuned, direct.best), qPrintable(describePostProcess(t.tuned) + " vs " + describePostProcess(direct.best)));
    QCOMPARE(t.tunedScore, direct.bestScore);
    QCOMPARE(t.baselineScore, direct.baselineScore);
    QCOMPARE(t.evaluations, direct.evaluations);
    QCOMPARE(t.volumes, 2);
    // "Before" is the page's setting on the same volumes: the headline's validation mean.
    PostProcessOptions before;
    before.threshold = 0.85;
    QVERIFY(samePostProcess(t.current, before));
    QCOMPARE(t.currentScore, meanAt(before));
    QVERIFY(page_->summaryText().startsWith("<b>Validation mean " + QString::number(t.currentScore, 'f', 4) + "</b>"));
    QVERIFY2(t.tunedScore > t.currentScore, "0.85 is a poor threshold for these probabilities");

    const QString shown = child<QLabel>(page_.get(), "tuneResult")->text();
    QVERIFY2(shown.contains("before " + QString::number(t.currentScore, 'f', 4)), qPrintable(shown));
    QVERIFY2(shown.contains("after " + QString::number(t.tunedScore, 'f', 4)), qPrintable(shown));
    QVERIFY2(shown.contains(describePostProcess(t.tuned).toHtmlEscaped()), qPrintable(shown));
    QVERIFY2(shown.contains("2 validation volume(s)"), qPrintable(shown));
    // Tuning alone changes nothing: the controls and the record keep the setting.
    compareControls(page_.get(), before);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(readPostProcessRecord(recordPath())->threshold, 0.85);
    QVERIFY(child<QPushButton>(page_.get(), "applyTuned")->isEnabled());
    tuned_ = t.tuned;
    qInfo("tuned on 2 volumes, %d settings: %.4f (%s) -> %.4f (%s)", t.evaluations, t.currentScore,
          qPrintable(describePostProcess(t.current)), t.tunedScore, qPrintable(describePostProcess(t.tuned)));
  }

  void applyMakesItTheRunsSetting() {
    QVERIFY(page_->lastTuning());
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    QTest::mouseClick(child<QPushButton>(page_.get(), "applyTuned"), Qt::LeftButton);
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    QVERIFY(!child<QPushButton>(page_.get(), "applyTuned")->isEnabled());
    compareControls(page_.get(), tuned_);
    if (QTest::currentTestFailed()) return;
    const auto record = readPostProcessRecord(recordPath());
    QVERIFY(record);
    QVERIFY2(samePostProcess(*record, tuned_), qPrintable(describePostProcess(*record)));
    // The table and the headline are the tuned setting's scores; the test masks are its masks.
    QStandardItemModel* m = page_->model();
    for (const char* id : {"a", "b"}) {
      const double expected = scoreVolume(postprocess(*fixture_.probabilities[id], tuned_), *fixture_.labels[id]).score;
      QCOMPARE(m->item(rowOf(m, id), PredictionsPage::Score)->data(Qt::UserRole).toDouble(), expected);
    }
    QVERIFY(page_->summaryText().startsWith("<b>Validation mean " + QString::number(page_->lastTuning()->tunedScore, 'f', 4)));
    QVERIFY2(page_->summaryText().contains(describePostProcess(tuned_).toHtmlEscaped()), qPrintable(page_->summaryText()));
    for (const char* id : {"t1", "t2"}) {
      const VolumeU8 mask = readVolumeU8(maskDir(fixture_.runDir.toStdString()) + "/" + id + ".tif");
      QVERIFY(mask.data == postprocess(*fixture_.probabilities[id], tuned_).data);
    }
    QVERIFY(child<QLabel>(page_.get(), "tuneResult")->text().contains("Applied"));

    // The export names it and writes it beside the zip.
    ExportPanel panel(*context_);
    QSignalSpy checked(&panel, &ExportPanel::checked);
    panel.check();
    QVERIFY(checked.wait(vwbtest::kLastResortMs));
    QVERIFY2(panel.postProcessLabel()->text().contains(describePostProcess(tuned_)), qPrintable(panel.postProcessLabel()->text()));
    QSignalSpy written(&panel, &ExportPanel::written);
    panel.writeZip();
    QVERIFY(written.wait(vwbtest::kLastResortMs));
    const auto beside = readPostProcessRecord(fixture_.runDir + "/submission.postprocess.json");
    QVERIFY(beside && samePostProcess(*beside, tuned_));

    // The viewer takes its threshold and names the setting.
    ViewerPage viewer(*context_);
    viewer.resize(1000, 700);
    QSignalSpy opened(&viewer, &ViewerPage::opened);
    viewer.show();
    QVERIFY(opened.wait(vwbtest::kLastResortMs));
    QCOMPARE(viewer.viewer()->overlay().threshold, tuned_.threshold);
    QVERIFY2(viewer.statusText().contains(describePostProcess(tuned_)), qPrintable(viewer.statusText()));
  }

  // One schema for one setting: `vwb postprocess --preset` takes the submission.postprocess.json
  // the Export page wrote beside the zip, and the page takes a `vwb tune` preset as a run's record.
  void guiRecordsAndCliPresetsAreOneFormat() {
    const QString probDir = QString::fromStdString(probabilityDir(fixture_.runDir.toStdString()));
    const QString gui = fixture_.runDir + "/submission.postprocess.json";
    QVERIFY(QFileInfo::exists(gui));
    const QString out = dir_.path() + "/cli-masks";
    auto r = vwbtest::run(vwbtest::vwbExe(), {"postprocess", "--prob", probDir, "--out", out, "--preset", gui});
    QVERIFY2(r.exitCode == 0, qPrintable(vwbtest::why(r)));
    for (const char* id : {"a", "t1"}) {
      const VolumeU8 mask = readVolumeU8((out + "/" + id + ".tif").toStdString());
      QVERIFY2(mask.data == postprocess(*fixture_.probabilities[id], tuned_).data, id);
    }

    const QString cliRun = dir_.path() + "/cli-run";
    QDir().mkpath(cliRun + "/predictions");
    const QString preset = postProcessRecordPath(cliRun + "/predictions");
    r = vwbtest::run(vwbtest::vwbExe(), {"tune", "--prob", probDir, "--labels", dir_.path() + "/train_labels", "--out", preset});
    QVERIFY2(r.exitCode == 0, qPrintable(vwbtest::why(r)));
    const PostProcessOptions cliTuned = tunePostProcessing(cases(), TuneGrid{}).best;
    QVERIFY(fileBytes(preset).contains("\"format\": \"vwb-postprocess/1\""));
    context_->setRunDir(cliRun);
    compareControls(page_.get(), cliTuned);
    if (QTest::currentTestFailed()) return;
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    context_->setRunDir(fixture_.runDir);
    QVERIFY(updated.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    compareControls(page_.get(), tuned_);
  }

  // Opening a run sets the post-processing controls from its record, and scores with it.
  void openingARunRestoresItsControls() {
    PostProcessOptions custom;
    custom.threshold = 0.4;
    custom.plugHoles = true;
    custom.sheetClosingRadius = 2;
    custom.borderVoxels = 1;
    custom.minComponentVoxels = 100;
    const QString otherRun = dir_.path() + "/other-run";
    QDir().mkpath(otherRun + "/predictions");
    writePostProcessRecord(postProcessRecordPath(otherRun + "/predictions"), custom);
    const QString emptyRun = dir_.path() + "/empty-run";
    QDir().mkpath(emptyRun);

    context_->setRunDir(otherRun);
    compareControls(page_.get(), custom);
    if (QTest::currentTestFailed()) return;
    context_->setRunDir(emptyRun);  // no record: the defaults
    compareControls(page_.get(), PostProcessOptions{});
    if (QTest::currentTestFailed()) return;
    QSignalSpy updated(page_.get(), &PredictionsPage::rowsUpdated);
    context_->setRunDir(fixture_.runDir);
    compareControls(page_.get(), tuned_);
    if (QTest::currentTestFailed()) return;
    QVERIFY(updated.wait(vwbtest::kLastResortMs));  // the saved probabilities scored with it
    QVERIFY2(page_->summaryText().contains(describePostProcess(tuned_).toHtmlEscaped()), qPrintable(page_->summaryText()));
    QVERIFY(samePostProcess(*readPostProcessRecord(recordPath()), tuned_));

    // A page opened later on the run starts from its record too.
    PredictionsPage fresh(*context_);
    compareControls(&fresh, tuned_);
    if (QTest::currentTestFailed()) return;
    QTRY_VERIFY_WITH_TIMEOUT(!fresh.busy(), vwbtest::kLastResortMs);
  }

  // A cancel as soon as the tuning starts (the search checks before its second setting):
  // deterministic with the real engine. Nothing of the search is kept or applied.
  void cancelLeavesThePreviousSetting() {
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    const QByteArray record = fileBytes(recordPath());
    QVERIFY(!record.isEmpty());
    QSignalSpy done(page_.get(), &PredictionsPage::tuningFinished);
    QSignalSpy failed(page_.get(), &PredictionsPage::taskFailed);
    QTest::mouseClick(child<QPushButton>(page_.get(), "tune"), Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>(page_.get(), "cancel"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!page_->busy(), vwbtest::kLastResortMs);
    QCOMPARE(done.count(), 0);
    QCOMPARE(failed.count(), 0);  // a cancel is no failure
    QVERIFY(!page_->lastTuning());
    QVERIFY(!child<QPushButton>(page_.get(), "applyTuned")->isEnabled());
    const QString shown = child<QLabel>(page_.get(), "tuneResult")->text();
    QVERIFY2(shown.contains("cancelled") && shown.contains("unchanged"), qPrintable(shown));
    compareControls(page_.get(), tuned_);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(fileBytes(recordPath()), record);
  }

  // Mid-search: a fake engine holds the tuning after its first step until it is cancelled.
  void cancelMidSearchLeavesThePreviousSetting() {
    auto fake = std::make_shared<vwbtest::FakeEngine>();
    fake->holdTune = true;
    ui::WorkbenchContext context(fake);
    context.setDataset(fixture_.dataset, std::nullopt);
    context.setRunDir(fixture_.runDir);
    PredictionsPage page(context);
    QTRY_VERIFY_WITH_TIMEOUT(!page.busy(), vwbtest::kLastResortMs);  // loads and scores the run
    const QByteArray record = fileBytes(recordPath());
    QTest::mouseClick(child<QPushButton>(&page, "tune"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(child<QProgressBar>(&page, "progress")->value() == 1, vwbtest::kLastResortMs);
    QVERIFY(page.busy());
    QTest::mouseClick(child<QPushButton>(&page, "cancel"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!page.busy(), vwbtest::kLastResortMs);
    QCOMPARE(fake->tuneRuns.load(), 1);
    QVERIFY(!page.lastTuning());
    QVERIFY(child<QLabel>(&page, "tuneResult")->text().contains("cancelled"));
    compareControls(&page, tuned_);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(fileBytes(recordPath()), record);

    // Not held: the fake's result is shown and applies.
    fake->holdTune = false;
    QSignalSpy done(&page, &PredictionsPage::tuningFinished);
    QTest::mouseClick(child<QPushButton>(&page, "tune"), Qt::LeftButton);
    QVERIFY(done.wait(vwbtest::kLastResortMs));
    QCOMPARE(page.lastTuning()->tuned.threshold, 0.3);
  }

  // Closing the page (the window, the application) while it tunes cancels the search and joins
  // its worker: no crash, the engine call has returned, the record is as it was, no temp file.
  void destroyingThePageMidTuning() {
    const QByteArray record = fileBytes(recordPath());
    auto fake = std::make_shared<vwbtest::FakeEngine>();
    fake->holdTune = true;
    ui::WorkbenchContext context(fake);
    context.setDataset(fixture_.dataset, std::nullopt);
    context.setRunDir(fixture_.runDir);
    auto page = std::make_unique<PredictionsPage>(context);
    QTRY_VERIFY_WITH_TIMEOUT(!page->busy(), vwbtest::kLastResortMs);
    QTest::mouseClick(child<QPushButton>(page.get(), "tune"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(fake->running.load() == 1, vwbtest::kLastResortMs);  // inside the held search
    page.reset();
    QCOMPARE(fake->running.load(), 0);

    // The real engine's search, the page gone right after the click.
    auto real = std::make_unique<PredictionsPage>(*context_);
    QTRY_VERIFY_WITH_TIMEOUT(!real->busy(), vwbtest::kLastResortMs);
    QTest::mouseClick(child<QPushButton>(real.get(), "tune"), Qt::LeftButton);
    QVERIFY(real->busy());
    real.reset();
    QCOMPARE(fileBytes(recordPath()), record);
    const QStringList temps = temporaryFiles(dir_.path());
    QVERIFY2(temps.isEmpty(), qPrintable(temps.join(", ")));
  }

  void cleanupTestCase() {
    page_.reset();
    context_.reset();
  }
};

QTEST_MAIN(TestTunePage)
#include "TestTunePage.moc"

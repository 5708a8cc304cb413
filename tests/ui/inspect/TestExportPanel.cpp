// Export from the GUI: the check lists every test id with its shapes and dtype; a good set of
// masks is written as a zip that Python's zipfile and tifffile read back (names, shapes,
// uint8, values 0/1); a bad set (missing mask, wrong shape) is refused with every problem and
// nothing is written.
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

#include "InspectFixture.h"
#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/export/PredictionFolder.h"
#include "engine/infer/PostProcess.h"
#include "engine/io/TiffVolume.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/ExportPanel.h"
#include "ui/inspect/PostProcessRecord.h"
#include "ui/inspect/PredictionSession.h"

using namespace vwb;
using namespace vwb::inspect;

class TestExportPanel : public QObject {
  Q_OBJECT

  QTemporaryDir dir_ = vwbtest::scratchDir();
  vwbtest::InspectFixture fixture_;
  std::unique_ptr<ui::WorkbenchContext> context_;

  void writeMask(const std::string& id, const VolumeU8& mask) {
    QDir().mkpath(QString::fromStdString(maskDir(fixture_.runDir.toStdString())));
    writeVolumeU8(maskDir(fixture_.runDir.toStdString()) + "/" + id + ".tif", mask);
  }

 private Q_SLOTS:
  void initTestCase() {
    fixture_ = vwbtest::InspectFixture::write(dir_.path());
    context_ = std::make_unique<ui::WorkbenchContext>(ui::makeRealEngine());
    context_->setDataset(fixture_.dataset, std::nullopt);
    context_->setRunDir(fixture_.runDir);
  }

  void goodMasksAreZippedAndReadBack() {
    for (const char* id : {"t1", "t2"}) writeMask(id, postprocess(*fixture_.probabilities[id], {}));
    ExportPanel panel(*context_);
    QSignalSpy checked(&panel, &ExportPanel::checked);
    panel.check();
    QVERIFY(checked.wait(vwbtest::kLastResortMs));
    QCOMPARE(checked.first().first().toBool(), true);
    QTableWidget* t = panel.entriesTable();
    QCOMPARE(t->rowCount(), 2);
    QStringList ids;
    for (int r = 0; r < t->rowCount(); ++r) {
      ids << t->item(r, 0)->text();
      QCOMPARE(t->item(r, 1)->text(), t->item(r, 2)->text());  // expected shape == mask shape
      QCOMPARE(t->item(r, 3)->text(), QString("uint8"));
    }
    ids.sort();
    QCOMPARE(ids, (QStringList{"t1", "t2"}));

    QSignalSpy written(&panel, &ExportPanel::written);
    panel.writeZip();
    QVERIFY(written.wait(vwbtest::kLastResortMs));
    const QString zip = written.first().first().toString();
    QCOMPARE(zip, QDir(fixture_.runDir).absoluteFilePath("submission.zip"));
    QCOMPARE(written.first().at(1).toLongLong(), QFileInfo(zip).size());
    QVERIFY(panel.resultLabel()->text().contains("submission.zip"));

    const auto r = vwbtest::python(
        "import sys, io, zipfile, tifffile, numpy as np\n"
        "z = zipfile.ZipFile(sys.argv[1])\n"
        "for n in sorted(z.namelist()):\n"
        "    a = tifffile.imread(io.BytesIO(z.read(n)))\n"
        "    print(n, 'x'.join(map(str, a.shape)), a.dtype, sorted(np.unique(a).tolist()), int(a.sum()))\n",
        {zip});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const auto& t1 = *fixture_.probabilities["t1"];
    QVERIFY2(lines[0].startsWith("t1.tif 24x36x36 uint8 [0, 1]"), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith("t2.tif 20x30x40 uint8 [0, 1]"), qPrintable(lines[1]));
    int64_t ones = 0;
    for (uint8_t v : postprocess(t1, {}).data) ones += v;
    QCOMPARE(lines[0].section(' ', -1).toLongLong(), ones);
  }

  // The masks carry the Predictions page's post-processing: the session records it beside them,
  // the panel names it and writes it beside the zip; an interrupted scoring leaves no record.
  void namesAndRecordsItsPostProcessing() {
    PredictionSession session;
    std::vector<InspectVolume> volumes;
    for (const auto& e : fixture_.dataset.test) volumes.push_back({e.id, e.imagePath, {}, e.shape});
    session.setVolumes(volumes);
    for (const char* id : {"t1", "t2"}) session.setProbability(id, fixture_.probabilities[id]);
    PostProcessOptions post;
    post.threshold = 0.3;
    post.borderVoxels = 1;
    const std::string masks = maskDir(fixture_.runDir.toStdString());
    session.evaluate(post, masks, nullptr, nullptr);
    const QString record = postProcessRecordPath(QString::fromStdString(masks));
    QVERIFY(QFileInfo::exists(record));

    ExportPanel panel(*context_);
    panel.setPaths(QString::fromStdString(masks), QDir(dir_.path()).filePath("test_images"), "", dir_.path() + "/pp.zip");
    QSignalSpy checked(&panel, &ExportPanel::checked);
    panel.check();
    QVERIFY(checked.wait(vwbtest::kLastResortMs));
    QVERIFY2(panel.postProcessLabel()->text().contains(QString::fromUtf8("threshold 0.30 · border 1")), qPrintable(panel.postProcessLabel()->text()));
    QSignalSpy written(&panel, &ExportPanel::written);
    panel.writeZip();
    QVERIFY(written.wait(vwbtest::kLastResortMs));
    const auto beside = readPostProcessRecord(dir_.path() + "/pp.postprocess.json");
    QVERIFY(beside);
    QCOMPARE(beside->threshold, 0.3);
    QCOMPARE(beside->borderVoxels, 1);

    CancelToken cancelled;
    cancelled.cancel();
    QVERIFY_THROWS_EXCEPTION(Cancelled, session.evaluate({}, masks, nullptr, &cancelled));
    QVERIFY(!QFileInfo::exists(record));  // no record naming settings the masks may not have
    session.evaluate(post, masks, nullptr, nullptr);
    QVERIFY(QFileInfo::exists(record));
  }

  void badMasksAreRefusedWithEveryProblem() {
    QFile::remove(QString::fromStdString(maskDir(fixture_.runDir.toStdString())) + "/t1.tif");
    writeMask("t2", VolumeU8({5, 5, 5}));  // wrong shape
    const QString zip = dir_.path() + "/refused.zip";
    ExportPanel panel(*context_);
    panel.setPaths(QString::fromStdString(maskDir(fixture_.runDir.toStdString())),
                   dir_.path() + "/test_images", "", zip);
    QSignalSpy refusedEarly(&panel, &ExportPanel::writeFailed);
    panel.writeZip();  // before any check
    QCOMPARE(refusedEarly.count(), 1);

    QSignalSpy checked(&panel, &ExportPanel::checked);
    panel.check();
    QVERIFY(checked.wait(vwbtest::kLastResortMs));
    QCOMPARE(checked.first().first().toBool(), false);
    QVERIFY2(panel.lastCheck().problems.size() >= 2, "both the missing and the misshaped mask are problems");
    QString all;
    for (int i = 0; i < panel.problemsList()->count(); ++i) all += panel.problemsList()->item(i)->text() + "\n";
    QVERIFY2(all.contains("t1") && all.contains("t2"), qPrintable(all));
    QSignalSpy refused(&panel, &ExportPanel::writeFailed);
    panel.writeZip();
    QCOMPARE(refused.count(), 1);
    QVERIFY(!QFileInfo::exists(zip));
  }

  // A folder the engine's prediction path wrote (with its manifest) is checked against it: a mask
  // of another run copied in is refused by name (issue 27).
  void aMixedPredictionFolderIsRefused() {
    const std::string out = dir_.path().toStdString() + "/vwb-pred";
    {
      StagedPredictionFolder staged(out);
      PredictionManifest manifest;
      for (const char* id : {"t1", "t2"}) {
        writeVolumeU8(staged.probPath(id), *fixture_.probabilities[id]);
        writeVolumeU8(staged.maskPath(id), postprocess(*fixture_.probabilities[id], {}));
        manifest.volumes.push_back({id, 0, 0});
      }
      staged.commit(manifest);
    }
    ExportPanel panel(*context_);
    panel.setPaths(QString::fromStdString(out), dir_.path() + "/test_images", "", dir_.path() + "/mixed.zip");
    QSignalSpy checked(&panel, &ExportPanel::checked);
    panel.check();
    QVERIFY(checked.wait(vwbtest::kLastResortMs));
    QCOMPARE(checked.takeFirst().first().toBool(), true);
    PostProcessOptions all;
    all.threshold = 0;
    writeVolumeU8(out + "/t1.tif", postprocess(*fixture_.probabilities["t1"], all));
    panel.check();
    QVERIFY(checked.wait(vwbtest::kLastResortMs));
    QCOMPARE(checked.takeFirst().first().toBool(), false);
    QString problems;
    for (int i = 0; i < panel.problemsList()->count(); ++i) problems += panel.problemsList()->item(i)->text() + "\n";
    QVERIFY2(problems.contains("t1.tif") && problems.contains("mixes predictions of different runs"), qPrintable(problems));
  }
};

QTEST_MAIN(TestExportPanel)
#include "TestExportPanel.moc"

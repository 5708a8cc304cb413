// The Viewer page opens the dataset's first volume when shown, with its label and the run's
// saved probabilities; other volumes open from the chooser; an unknown id is reported.
#include <QSignalSpy>
#include <QtTest>

#include "InspectFixture.h"
#include "TestSupport.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/ViewerPage.h"

using namespace vwb;
using namespace vwb::inspect;

class TestViewerPage : public QObject {
  Q_OBJECT

  QTemporaryDir dir_ = vwbtest::scratchDir();
  vwbtest::InspectFixture fixture_;

 private Q_SLOTS:
  void opensVolumesWithTheRunsPrediction() {
    fixture_ = vwbtest::InspectFixture::write(dir_.path());
    ui::WorkbenchContext context(ui::makeRealEngine());
    context.setDataset(fixture_.dataset, std::nullopt);
    context.setRunDir(fixture_.runDir);
    ViewerPage page(context);
    page.resize(1000, 700);
    QSignalSpy opened(&page, &ViewerPage::opened);
    page.show();  // the first volume opens when the page is first shown
    QVERIFY(opened.wait(vwbtest::kLastResortMs));
    QCOMPARE(opened.first().first().toString(), QString("a"));
    const viewer::ViewerVolumes& v = page.viewer()->volumes();
    QVERIFY(v.ct && v.groundTruth && v.prediction);
    QVERIFY(v.prediction->data == fixture_.probabilities["a"]->data);
    QVERIFY(v.predictionKind == viewer::PredictionKind::Probability255);

    page.openVolume("t2");
    QVERIFY(opened.wait(vwbtest::kLastResortMs));
    QCOMPARE(page.viewer()->volumes().ct->shape, (Shape3{20, 30, 40}));
    QVERIFY(!page.viewer()->volumes().groundTruth);
    QVERIFY(page.viewer()->volumes().prediction);

    QSignalSpy failed(&page, &ViewerPage::openFailed);
    page.openVolume("nope");
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.first().first().toString().contains("nope"));
  }

  // After a failed load the chooser names what the views show; after a dataset switch nothing
  // of the old dataset stays.
  void noStaleVolumes() {
    if (fixture_.dataset.train.empty()) fixture_ = vwbtest::InspectFixture::write(dir_.path());
    Dataset broken = fixture_.dataset;
    broken.train[1].imagePath = dir_.filePath("missing/b.tif").toStdString();
    ui::WorkbenchContext context(ui::makeRealEngine());
    context.setDataset(broken, std::nullopt);
    ViewerPage page(context);
    page.resize(1000, 700);
    QSignalSpy opened(&page, &ViewerPage::opened);
    QSignalSpy failed(&page, &ViewerPage::openFailed);
    page.show();
    QVERIFY(opened.wait(vwbtest::kLastResortMs));
    QCOMPARE(page.chosenVolume(), QString("a"));
    // No run is open: the page says so, not "no prediction in this run yet".
    QVERIFY2(page.statusText().contains("no run open") && !page.statusText().contains("this run"), qPrintable(page.statusText()));
    page.openVolume("b");
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, vwbtest::kLastResortMs);
    QCOMPARE(page.viewer()->volumes().title, QString("a"));
    QCOMPARE(page.chosenVolume(), QString("a"));
    QVERIFY2(page.statusText().contains("missing/b.tif") && page.statusText().contains("still showing a"), qPrintable(page.statusText()));

    Dataset other = fixture_.dataset;
    other.root += "-other";
    other.train.erase(other.train.begin());  // 'a' is not in it
    context.setDataset(other, std::nullopt);
    QVERIFY(page.viewer()->volumes().title != "a" || !page.viewer()->volumes().ct);
    QVERIFY(opened.wait(vwbtest::kLastResortMs));  // the visible page opens the new dataset's first volume
    QCOMPARE(page.viewer()->volumes().title, QString("b"));
    QCOMPARE(page.chosenVolume(), QString("b"));
  }
};

QTEST_MAIN(TestViewerPage)
#include "TestViewerPage.moc"

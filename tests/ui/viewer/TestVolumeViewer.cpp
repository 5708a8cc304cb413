// The whole viewer widget on a real X server (xcb on Xvfb): the QOpenGLWidget hosts show the
// VTK scenes (CT + prediction overlay in the axial view, not a blank frame), the threshold
// slider changes the overlay, wheel/keys/clicks move the linked cursor, the 3D view drops to its
// coarse level while the user drags and returns to full quality after a pause (a frame rendered
// on a worker thread), slice steps render no 3D frame in the GUI thread, the volume-rendering
// check box is obeyed click after click, screenshots are PNGs.
#include <algorithm>

#include <QCheckBox>
#include <QImage>
#include <QSignalSpy>
#include <QSlider>
#include <QWheelEvent>
#include <QtTest>

#include "PixelCounts.h"
#include "TestSupport.h"
#include "ViewerTestVolumes.h"
#include "ui/viewer/ViewerControlPanel.h"
#include "ui/viewer/VolumeViewer.h"
#include "ui/viewer/VtkHostWidget.h"

using namespace vwb::viewer;

namespace {

vwbtest::PixelCounts countPixels(const QImage& image) {
  return vwbtest::PixelCounts::count(image.width(), image.height(),
                                     [&](int x, int y) { return image.constScanLine(y) + 3 * x; });
}

vwbtest::PixelCounts countPixels(VtkHostWidget* view) {
  return countPixels(view->grabFramebuffer().convertToFormat(QImage::Format_RGB888));
}

}  // namespace

class TestVolumeViewer : public QObject {
  Q_OBJECT

  vwbtest::ViewerVolumesU8 v_ = vwbtest::makeSheetVolumes({64, 96, 112});
  std::unique_ptr<VolumeViewer> viewer_;

 private Q_SLOTS:
  void initTestCase() {
    viewer_ = std::make_unique<VolumeViewer>();
    viewer_->resize(1100, 800);
    viewer_->setVolumes({v_.ct, v_.probability, PredictionKind::Probability255, v_.label, "sheet"});
    viewer_->show();
    QVERIFY(QTest::qWaitForWindowExposed(viewer_.get()));
  }

  void axialViewShowsCtAndOverlay() {
    // The automatic window starts at the 1st percentile and renders the noise floor near black;
    // the full range shows it as grey, which the pixel count can tell from the background.
    viewer_->setWindowLevel(255, 128);
    const auto c = countPixels(viewer_->sliceView(SliceAxis::Z));
    qInfo() << "axial: overlay" << c.prediction << "grey" << c.grey << "of" << c.total;
    QVERIFY2(c.grey > c.total / 8, "no CT in the axial view (blank frame?)");
    QVERIFY2(c.prediction > c.total / 100, "no prediction overlay in the axial view");
    const auto v3 = countPixels(viewer_->view3d());
    QVERIFY2(v3.prediction > 200, "no prediction surface in the 3D view");
  }

  void thresholdSliderChangesTheOverlay() {
    QSlider* slider = viewer_->controls()->thresholdSlider;
    slider->setValue(200);  // 0.2
    QCOMPARE(viewer_->overlay().threshold, 0.2);
    const int low = countPixels(viewer_->sliceView(SliceAxis::Z)).prediction;
    slider->setValue(900);
    const int high = countPixels(viewer_->sliceView(SliceAxis::Z)).prediction;
    qInfo() << "overlay pixels at 0.2:" << low << "at 0.9:" << high;
    QVERIFY(high > 0);
    QVERIFY(low > high * 1.3);
    viewer_->controls()->opacitySlider->setValue(0);
    QCOMPARE(countPixels(viewer_->sliceView(SliceAxis::Z)).prediction, 0);
    viewer_->controls()->opacitySlider->setValue(50);
    slider->setValue(500);
  }

  void groundTruthToggle() {
    viewer_->setShowGroundTruth(true);
    viewer_->setShowPrediction(false);
    const auto c = countPixels(viewer_->sliceView(SliceAxis::Z));
    QVERIFY(c.groundTruth > 100);
    QCOMPARE(c.prediction, 0);
    viewer_->setShowGroundTruth(false);
    viewer_->setShowPrediction(true);
  }

  void compareShowsPredictionAndGroundTruthSideBySide() {
    QVERIFY(viewer_->controls()->compareCheck->isEnabled());
    viewer_->controls()->compareCheck->setChecked(true);
    QVERIFY(viewer_->compare());
    QVERIFY(!viewer_->controls()->predictionCheck->isEnabled());
    VtkHostWidget* axial = viewer_->sliceView(SliceAxis::Z);
    viewer_->setCursor({56, 48, 30});
    const QImage image = axial->grabFramebuffer().convertToFormat(QImage::Format_RGB888);
    const int half = image.width() / 2;
    const auto left = countPixels(image.copy(0, 0, half, image.height()));
    const auto right = countPixels(image.copy(half, 0, image.width() - half, image.height()));
    qInfo() << "left: prediction" << left.prediction << "gt" << left.groundTruth << "| right: prediction"
            << right.prediction << "gt" << right.groundTruth;
    QVERIFY2(left.prediction > 300 && left.groundTruth == 0, "the left half shows the prediction only");
    QVERIFY2(right.groundTruth > 300 && right.prediction == 0, "the right half shows the ground truth only");
    // Same slice, same fit: the sheet's curve covers a similar area on both sides.
    QVERIFY(right.grey > left.grey / 2 && left.grey > right.grey / 2);

    // One cursor: a click in the centre of the right half is the slice's centre voxel.
    QTest::mouseClick(axial, Qt::LeftButton, {}, QPoint(axial->width() * 3 / 4, axial->height() / 2));
    QVERIFY2(std::abs(viewer_->cursor().x - 56) <= 2 && std::abs(viewer_->cursor().y - 48) <= 2,
             qPrintable(QString("%1,%2").arg(viewer_->cursor().x).arg(viewer_->cursor().y)));
    QCOMPARE(viewer_->compareScene(SliceAxis::Z).slice(), viewer_->sliceScene(SliceAxis::Z).slice());
    viewer_->stepSlice(SliceAxis::Z, 2);
    QCOMPARE(viewer_->compareScene(SliceAxis::Z).slice(), 32);

    // Without ground truth there is nothing to compare: the mode turns off.
    viewer_->setVolumes({v_.ct, v_.probability, PredictionKind::Probability255, nullptr, "no labels"});
    QVERIFY(!viewer_->compare());
    QVERIFY(!viewer_->controls()->compareCheck->isEnabled());
    QVERIFY(countPixels(axial).prediction > 300);  // the whole view again, prediction overlay
    viewer_->setVolumes({v_.ct, v_.probability, PredictionKind::Probability255, v_.label, "sheet"});
    viewer_->setCompare(false);
    QVERIFY(viewer_->controls()->predictionCheck->isEnabled());
  }

  void wheelKeysAndClicksMoveTheCursor() {
    VtkHostWidget* axial = viewer_->sliceView(SliceAxis::Z);
    viewer_->setCursor({10, 10, 30});
    const QPointF centre(axial->width() / 2.0, axial->height() / 2.0);
    QWheelEvent wheel(centre, axial->mapToGlobal(centre), {}, {0, 3 * 120}, Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(axial, &wheel);
    QCOMPARE(viewer_->cursor().z, 33);
    QTest::keyClick(axial, Qt::Key_Down);
    QCOMPARE(viewer_->cursor().z, 32);
    QTest::keyClick(axial, Qt::Key_PageUp);
    QCOMPARE(viewer_->cursor().z, 42);
    QTest::keyClick(axial, Qt::Key_End);
    QCOMPARE(viewer_->cursor().z, 63);
    // A click at the view's centre puts the cursor at the slice's centre (112 x 96).
    QTest::mouseClick(axial, Qt::LeftButton, {}, centre.toPoint());
    QVERIFY2(std::abs(viewer_->cursor().x - 56) <= 2 && std::abs(viewer_->cursor().y - 48) <= 2,
             qPrintable(QString("%1,%2").arg(viewer_->cursor().x).arg(viewer_->cursor().y)));
    QCOMPARE(viewer_->cursor().z, 63);
    QCOMPARE(viewer_->sliceScene(SliceAxis::X).slice(), viewer_->cursor().x);
    QCOMPARE(viewer_->sliceScene(SliceAxis::Y).slice(), viewer_->cursor().y);
  }

  void view3dIsCoarseWhileDraggingAndFullOnceSettled() {
    VtkHostWidget* v3 = viewer_->view3d();
    QTRY_VERIFY_WITH_TIMEOUT(!viewer_->view3dInteractive(), vwbtest::kLastResortMs);
    QVERIFY(v3->showsStillFrame());  // the worker's full frame
    const QPoint centre(v3->width() / 2, v3->height() / 2);
    QTest::mousePress(v3, Qt::LeftButton, {}, centre);
    for (int i = 1; i <= 3; ++i) QTest::mouseMove(v3, centre + QPoint(15 * i, 5 * i));
    QVERIFY(viewer_->view3dInteractive());
    QVERIFY(viewer_->volumeScene().coarseVolumeShown());
    QTest::qWait(2 * VolumeViewer::kSettleMs);  // holding the button keeps the coarse level
    QVERIFY(viewer_->view3dInteractive());
    const auto coarse = countPixels(v3);
    QVERIFY2(coarse.prediction > 200, "no prediction surface while rotating");
    QTest::mouseRelease(v3, Qt::LeftButton, {}, centre + QPoint(45, 15));
    QVERIFY(viewer_->view3dInteractive());  // the full frame waits for the pause
    QTRY_VERIFY_WITH_TIMEOUT(!viewer_->view3dInteractive(), vwbtest::kLastResortMs);
    QVERIFY(v3->showsStillFrame());
    QVERIFY(!viewer_->volumeScene().fullVolumeShown());  // never rendered in the GUI thread
    QVERIFY(countPixels(v3).prediction > 200);
  }

  // Wheel steps in the axial view with every overlay on: the slice view answers, the 3D view
  // renders nothing in the GUI thread (no paint at all until the worker's frame of the new
  // cursor arrives, which then replaces the old one).
  void sliceStepsRenderNo3dFrameInTheGuiThread() {
    viewer_->setShowPrediction(true);
    viewer_->setShowGroundTruth(true);
    viewer_->setVolumeRenderingVisible(true);
    VtkHostWidget* axial = viewer_->sliceView(SliceAxis::Z);
    VtkHostWidget* v3 = viewer_->view3d();
    viewer_->setCursor({56, 48, 20});  // room to step
    QTRY_VERIFY_WITH_TIMEOUT(viewer_->view3dShowsFullFrame(), vwbtest::kLastResortMs);
    // Every 3D paint from here on must be a worker frame's copy, never a VTK render here.
    std::vector<bool> stillAtPaint;
    QObject recording;
    connect(v3, &VtkHostWidget::framePainted, &recording, [&] { stillAtPaint.push_back(v3->showsStillFrame()); });
    QSignalSpy full(viewer_.get(), &VolumeViewer::fullFrameShown);
    const int z0 = viewer_->cursor().z;
    const QPointF at(axial->width() / 2.0, axial->height() / 2.0);
    for (int i = 1; i <= 4; ++i) {
      QSignalSpy painted(axial, &VtkHostWidget::framePainted);
      QWheelEvent wheel(at, axial->mapToGlobal(at), {}, {0, 120}, Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(axial, &wheel);
      QCOMPARE(viewer_->cursor().z, z0 + i);
      QVERIFY(viewer_->view3dInteractive());  // the frame on screen is of the old cursor
      QVERIFY(painted.wait(vwbtest::kLastResortMs));
      QCOMPARE(viewer_->sliceScene(SliceAxis::Z).slice(), z0 + i);
    }
    QTRY_VERIFY_WITH_TIMEOUT(viewer_->view3dShowsFullFrame(), vwbtest::kLastResortMs);  // the 3D view catches up
    QVERIFY(full.count() >= 1);
    QTRY_VERIFY_WITH_TIMEOUT(!stillAtPaint.empty(), vwbtest::kLastResortMs);
    QVERIFY(std::all_of(stillAtPaint.begin(), stillAtPaint.end(), [](bool b) { return b; }));
    QVERIFY(!viewer_->volumeScene().fullVolumeShown());
    QObject::disconnect(v3, nullptr, &recording, nullptr);
    viewer_->setShowGroundTruth(false);
  }

  // "Volume rendering in 3D" clicked three times: each click is obeyed in the full frame that
  // follows (off, on, off), none is lost behind a full frame of the state before it.
  void volumeRenderingCheckObeysEveryClick() {
    QCheckBox* check = viewer_->controls()->volumeRenderingCheck;
    VtkHostWidget* v3 = viewer_->view3d();
    if (!check->isChecked()) check->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(viewer_->view3dShowsFullFrame(), vwbtest::kLastResortMs);
    const QImage on = v3->grabFramebuffer().convertToFormat(QImage::Format_RGB888);
    auto differing = [](const QImage& a, const QImage& b) {
      int n = 0;
      for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) n += a.pixel(x, y) != b.pixel(x, y);
      return n;
    };
    QImage previous = on, off;
    for (int click = 1; click <= 3; ++click) {
      QTest::mouseClick(check, Qt::LeftButton, {}, QPoint(8, check->height() / 2));
      const bool expectOn = click % 2 == 0;
      QCOMPARE(check->isChecked(), expectOn);
      QVERIFY(viewer_->view3dInteractive());  // the frame of the state before the click is gone
      QTRY_VERIFY_WITH_TIMEOUT(viewer_->view3dShowsFullFrame(), vwbtest::kLastResortMs);
      const QImage now = v3->grabFramebuffer().convertToFormat(QImage::Format_RGB888);
      qInfo() << "click" << click << (expectOn ? "on" : "off") << ":" << differing(now, previous) << "pixels changed";
      QVERIFY2(differing(now, previous) > now.width() * now.height() / 20, "the click shows in the 3D view");
      if (click == 1) off = now;
      if (click == 2) QVERIFY(differing(now, on) < now.width() * now.height() / 100);
      if (click == 3) QVERIFY(differing(now, off) < now.width() * now.height() / 100);
      previous = now;
    }
    check->setChecked(true);
  }

  void sliceAndSliderChangesRender3dCoarseThenSettle() {
    QTRY_VERIFY_WITH_TIMEOUT(!viewer_->view3dInteractive(), vwbtest::kLastResortMs);
    viewer_->stepSlice(SliceAxis::Z, 1);
    QVERIFY(viewer_->view3dInteractive());
    QTRY_VERIFY_WITH_TIMEOUT(!viewer_->view3dInteractive(), vwbtest::kLastResortMs);
    viewer_->controls()->thresholdSlider->setValue(300);
    QVERIFY(viewer_->view3dInteractive());
    QTRY_VERIFY_WITH_TIMEOUT(!viewer_->view3dInteractive(), vwbtest::kLastResortMs);
    viewer_->controls()->thresholdSlider->setValue(500);
    // A screenshot does not wait: it is taken at full quality at once.
    QVERIFY(viewer_->view3dInteractive());
    QTemporaryDir dir = vwbtest::scratchDir();
    QVERIFY(viewer_->saveScreenshot(dir.path() + "/v.png"));
    QVERIFY(!viewer_->view3dInteractive());
  }

  void screenshotIsAPng() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const QString path = dir.path() + "/viewer.png";
    QVERIFY(viewer_->saveScreenshot(path));
    QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), viewer_->size() * viewer_->devicePixelRatioF());
    QString error;
    QVERIFY(!viewer_->saveScreenshot(dir.path() + "/missing/dir/x.png", &error));
    QVERIFY(error.contains("missing/dir"));
  }

  void cleanupTestCase() { viewer_.reset(); }
};

QTEST_MAIN(TestVolumeViewer)
#include "TestVolumeViewer.moc"

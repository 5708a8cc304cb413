// The Qt-free scenes rendered offscreen (vtkRenderWindow -> vtkWindowToImageFilter): the slice
// shows the CT and the prediction overlay, the threshold moves the overlay, the ground truth
// has its own colour, display picking finds the voxel, the 3D scene renders a surface, and its
// interactive level of detail is coarser but still shows the overlays.
#include <QtTest>

#include "PixelCounts.h"
#include "ViewerTestVolumes.h"
#include <vtkRenderWindow.h>

#include "engine/core/Error.h"
#include "ui/viewer/OffscreenRender.h"
#include "ui/viewer/SliceScene.h"
#include "ui/viewer/VolumeScene.h"

using namespace vwb::viewer;

namespace {

vwbtest::PixelCounts countPixels(const RgbImage& image) {
  return vwbtest::PixelCounts::count(image.width, image.height,
                                     [&](int x, int y) { return image.pixel(x, y); });
}

}  // namespace

class TestSliceScene : public QObject {
  Q_OBJECT

  vwbtest::ViewerVolumesU8 v_ = vwbtest::makeSheetVolumes({48, 64, 80});
  VolumeImage ct_{v_.ct}, prob_{v_.probability}, label_{v_.label};

 private Q_SLOTS:
  void sliceShowsCtAndPrediction() {
    SliceScene scene(SliceAxis::Z);
    scene.setVolumes(ct_, prob_, PredictionKind::Probability255, {});
    scene.setWindowLevel(255, 128);
    const RgbImage image = renderOffscreen(scene.renderer(), 320, 280);
    const auto c = countPixels(image);
    qInfo() << "overlay" << c.prediction << "grey" << c.grey << "of" << c.total;
    // The 80x64 slice fills most of the viewport: plenty of grey CT and a band of overlay.
    QVERIFY2(c.grey > c.total / 5, "CT grey pixels missing: blank or wrong frame");
    QVERIFY2(c.prediction > c.total / 50, "prediction overlay missing");
    QVERIFY(c.prediction < c.total / 2);
  }

  void thresholdMovesTheOverlay() {
    SliceScene scene(SliceAxis::Z);
    scene.setVolumes(ct_, prob_, PredictionKind::Probability255, {});
    int previous = 1 << 30;
    for (double t : {0.2, 0.5, 0.9}) {
      OverlaySettings o;
      o.threshold = t;
      scene.setOverlay(o);
      const int now = countPixels(renderOffscreen(scene.renderer(), 320, 280)).prediction;
      qInfo() << "threshold" << t << "overlay pixels" << now;
      QVERIFY2(now < previous * 0.9, "a higher threshold must shrink the overlay");
      QVERIFY(now > 0);
      previous = now;
    }
    OverlaySettings hidden;
    hidden.showPrediction = false;
    scene.setOverlay(hidden);
    QCOMPARE(countPixels(renderOffscreen(scene.renderer(), 320, 280)).prediction, 0);
  }

  void groundTruthHasItsOwnColour() {
    SliceScene scene(SliceAxis::Y);
    scene.setVolumes(ct_, prob_, PredictionKind::Probability255, label_);
    scene.setCursor({10, 32, 10});  // y = 32 cuts the sheet
    OverlaySettings o;
    o.showPrediction = false;
    o.showGroundTruth = true;
    o.opacity = 0.8;
    scene.setOverlay(o);
    const auto c = countPixels(renderOffscreen(scene.renderer(), 300, 300));
    qInfo() << "ground truth pixels" << c.groundTruth;
    QVERIFY(c.groundTruth > 50);
    QCOMPARE(c.prediction, 0);
  }

  void maskPredictionIgnoresTheThreshold() {
    auto mask = std::make_shared<vwb::VolumeU8>(v_.ct->shape);
    for (size_t i = 0; i < mask->size(); ++i) mask->data[i] = v_.probability->data[i] >= 128 ? 1 : 0;
    SliceScene scene(SliceAxis::Z);
    scene.setVolumes(ct_, VolumeImage(mask), PredictionKind::Mask01, {});
    OverlaySettings o;
    o.threshold = 0.1;
    scene.setOverlay(o);
    const int low = countPixels(renderOffscreen(scene.renderer(), 200, 200)).prediction;
    o.threshold = 0.9;
    scene.setOverlay(o);
    const int high = countPixels(renderOffscreen(scene.renderer(), 200, 200)).prediction;
    QVERIFY(low > 0);
    QCOMPARE(low, high);
  }

  void mismatchedOverlayIsRefused() {
    auto small = std::make_shared<vwb::VolumeU8>(vwb::Shape3{8, 8, 8});
    SliceScene scene(SliceAxis::Z);
    QVERIFY_THROWS_EXCEPTION(vwb::Error, scene.setVolumes(ct_, VolumeImage(small), PredictionKind::Probability255, {}));
  }

  void displayPickingFindsTheVoxel() {
    SliceScene scene(SliceAxis::Z);
    scene.setVolumes(ct_, prob_, PredictionKind::Probability255, {});
    scene.setCursor({0, 0, 17});
    renderOffscreen(scene.renderer(), 400, 400);  // gives the renderer a size and a camera fit
    // The picking needs a live window: attach it to one without rendering.
    auto window = vtkSmartPointer<vtkRenderWindow>::New();
    window->SetOffScreenRendering(1);
    window->SetSize(400, 400);
    window->AddRenderer(scene.renderer());
    scene.resetCamera();
    Voxel v;
    QVERIFY(scene.voxelAtDisplay(200, 200, &v));
    // The view centre is the slice centre (80 wide, 64 high); y runs downwards on screen.
    QVERIFY2(std::abs(v.x - 40) <= 1 && std::abs(v.y - 32) <= 1, qPrintable(QString("%1 %2").arg(v.x).arg(v.y)));
    QCOMPARE(v.z, 17);
    Voxel top;
    // The slice is wider than high: it spans the width, and about 310 of the 400 rows.
    QVERIFY(scene.voxelAtDisplay(200, 345, &top));  // near the slice's top edge: small y
    QVERIFY2(top.y < 6, qPrintable(QString::number(top.y)));
    QVERIFY(!scene.voxelAtDisplay(200, 395, &v));  // above the slice
    window->RemoveRenderer(scene.renderer());
  }

  void volumeSceneRendersSurfaceAndVolume() {
    VolumeScene scene;
    scene.setVolumes(ct_, prob_, PredictionKind::Probability255, label_);
    scene.setWindowLevel(200, 128);
    const auto withVolume = countPixels(renderOffscreen(scene.renderer(), 300, 300));
    const vtkIdType trianglesHalf = scene.predictionTriangles();
    qInfo() << "3D: prediction pixels" << withVolume.prediction << "triangles" << trianglesHalf;
    QVERIFY(withVolume.prediction > 500);
    QVERIFY(trianglesHalf > 100);
    OverlaySettings o;
    o.threshold = 0.95;
    scene.setOverlay(o);
    renderOffscreen(scene.renderer(), 300, 300);
    QVERIFY2(scene.predictionTriangles() != trianglesHalf, "the surface must follow the threshold");
  }

  void volumeSceneInteractiveLevelIsCoarseButShowsTheOverlays() {
    VolumeScene scene;
    scene.setVolumes(ct_, prob_, PredictionKind::Probability255, label_);
    scene.setWindowLevel(200, 128);
    OverlaySettings o;
    o.threshold = 0.9;  // a sheet ~4 voxels thick: max pooling must keep it, averaging would not
    o.showGroundTruth = true;
    scene.setOverlay(o);
    QVERIFY(scene.fullVolumeShown() && !scene.coarseVolumeShown());
    const auto still = countPixels(renderOffscreen(scene.renderer(), 300, 300));
    const vtkIdType stillTriangles = scene.predictionTriangles(false);

    scene.setInteractive(true);
    QVERIFY(scene.coarseVolumeShown() && !scene.fullVolumeShown());
    const auto coarse = countPixels(renderOffscreen(scene.renderer(), 300, 300));
    const vtkIdType coarseTriangles = scene.predictionTriangles(true);
    qInfo() << "still: prediction" << still.prediction << "gt" << still.groundTruth << "triangles" << stillTriangles
            << "| interactive: prediction" << coarse.prediction << "gt" << coarse.groundTruth << "triangles"
            << coarseTriangles;
    QVERIFY(coarseTriangles > 0);
    QVERIFY2(coarseTriangles * 2 < stillTriangles, "the interactive surface should be much coarser");
    QVERIFY(coarse.prediction > 200);

    // The ground truth (label 1, 3 voxels thick) lies inside the prediction: shown alone.
    o.showPrediction = false;
    scene.setOverlay(o);
    const int coarseGt = countPixels(renderOffscreen(scene.renderer(), 300, 300)).groundTruth;
    qInfo() << "interactive ground truth pixels" << coarseGt;
    QVERIFY(coarseGt > 200);

    // The coarse CT rendering draws something: the frame changes where it is switched off.
    const RgbImage withVolume = renderOffscreen(scene.renderer(), 300, 300);
    scene.setVolumeRenderingVisible(false);
    QVERIFY(!scene.coarseVolumeShown() && !scene.fullVolumeShown());
    const RgbImage without = renderOffscreen(scene.renderer(), 300, 300);
    int changed = 0;
    for (size_t i = 0; i < without.rgb.size(); i += 3)
      changed += std::abs(withVolume.rgb[i] - without.rgb[i]) + std::abs(withVolume.rgb[i + 1] - without.rgb[i + 1]) > 30;
    qInfo() << "pixels the coarse CT rendering changes" << changed;
    QVERIFY(changed > 300 * 300 / 20);
    scene.setInteractive(false);
    QVERIFY(!scene.coarseVolumeShown() && !scene.fullVolumeShown());
    scene.setVolumeRenderingVisible(true);
    QVERIFY(scene.fullVolumeShown());
  }

  void interactiveLevelShrinksLargeVolumes() {
    auto big = vwbtest::makeSheetVolumes({40, 40, 200});
    VolumeScene scene;
    scene.setVolumes(VolumeImage(big.ct), VolumeImage(big.probability), PredictionKind::Probability255, {});
    QCOMPARE(scene.interactiveShrinkFactor(), (200 + kInteractiveVoxelsPerAxis - 1) / kInteractiveVoxelsPerAxis);
    scene.setInteractive(true);
    QVERIFY(countPixels(renderOffscreen(scene.renderer(), 300, 200)).prediction > 100);
  }
};

QTEST_MAIN(TestSliceScene)
#include "TestSliceScene.moc"

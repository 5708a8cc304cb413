// vwb-viewer-bench: frame times of the VolumeViewer on a large volume (default 320^3).
// Prints load time, per-view frame times for slice stepping, 3D rotation (interactive and still
// quality), threshold changes and the 3D surface re-extraction. Needs an X server (Xvfb).
//   vwb-viewer-bench [--size N] [--frames N] [--image F --prediction F [--label F]] [--screenshot F]
//                    [--compare]   (the screenshot side by side)
//                    [--pace MS] [--wheel-only]   (wheel steps every MS ms, all overlays; stop there)
#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QTextStream>
#include <QWheelEvent>
#include <QWindow>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <vtkCamera.h>
#include <vtkRenderWindow.h>

#include "engine/io/TiffVolume.h"
#include "ui/viewer/VolumeViewer.h"
#include "ui/viewer/VtkHostWidget.h"

using namespace vwb;
using namespace vwb::viewer;

namespace {

// A phantom when no files are given: a few wavy sheets in noise, a probability that falls off
// around them, labels on the sheets. Not the engine's synthetic scrolls: only the sizes matter.
ViewerVolumes phantom(int n) {
  const Shape3 s{n, n, n};
  auto ct = std::make_shared<VolumeU8>(s), prob = std::make_shared<VolumeU8>(s), label = std::make_shared<VolumeU8>(s);
  uint32_t rng = 7;
  for (int64_t z = 0; z < n; ++z)
    for (int64_t y = 0; y < n; ++y)
      for (int64_t x = 0; x < n; ++x) {
        double best = 1e9;
        for (int k = 1; k <= 4; ++k) {
          const double y0 = n * k / 5.0 + 0.06 * n * std::sin(x * 6.28 / n + k) * std::cos(z * 3.14 / n);
          best = std::min(best, std::abs(y - y0));
        }
        rng = rng * 1664525u + 1013904223u;
        const size_t i = ct->index(z, y, x);
        ct->data[i] = uint8_t(std::min(255.0, 40 + (rng >> 27) + 170 * std::exp(-best * best / 4.0)));
        prob->data[i] = uint8_t(std::lround(255 * std::exp(-best * best / 8.0)));
        label->data[i] = best < 1.5 ? 1 : 0;
      }
  return {ct, prob, PredictionKind::Probability255, label, QString("phantom %1^3").arg(n)};
}

// Runs `change` (which should lead to a repaint of `view`), then the event loop until the view
// has painted, as the GUI would; returns that paint's time (paintGL, finished on the GPU).
template <class Change>
double paintFrame(VtkHostWidget* view, Change change) {
  int painted = 0;
  auto connection = QObject::connect(view, &VtkHostWidget::framePainted, [&painted] { ++painted; });
  change();
  view->update();
  QElapsedTimer t;
  t.start();
  while (!painted && t.elapsed() < 30000) QApplication::processEvents(QEventLoop::AllEvents, 5);
  QObject::disconnect(connection);
  return view->lastFrameMs();
}

struct Stats {
  double median = 0, mean = 0, max = 0;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], std::accumulate(v.begin(), v.end(), 0.0) / v.size(), v.back()};
}

QString line(const char* what, const Stats& s) {
  return QString("%1: median %2 ms, mean %3 ms, max %4 ms (%5 fps at the median)\n")
      .arg(what, -34).arg(s.median, 0, 'f', 1).arg(s.mean, 0, 'f', 1).arg(s.max, 0, 'f', 1)
      .arg(1000.0 / s.median, 0, 'f', 1);
}

}  // namespace

int main(int argc, char** argv) {
  QSurfaceFormat::setDefaultFormat(VtkHostWidget::defaultFormat());
  QApplication app(argc, argv);
  QStringList args = app.arguments();
  auto value = [&](const QString& name, const QString& fallback) {
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
  };
  const int size = value("--size", "320").toInt();
  const int frames = value("--frames", "12").toInt();
  QTextStream out(stdout);
  // Flush as we go: a slow machine should show the numbers it has so far.
  QObject::connect(&app, &QApplication::aboutToQuit, [&out] { out.flush(); });

  QElapsedTimer timer;
  timer.start();
  ViewerVolumes volumes;
  if (!value("--image", "").isEmpty()) {
    volumes.ct = std::make_shared<VolumeU8>(readVolumeU8(value("--image", "").toStdString()));
    if (!value("--prediction", "").isEmpty())
      volumes.prediction = std::make_shared<VolumeU8>(readVolumeU8(value("--prediction", "").toStdString()));
    if (!value("--label", "").isEmpty())
      volumes.groundTruth = std::make_shared<VolumeU8>(readVolumeU8(value("--label", "").toStdString()));
    volumes.title = value("--image", "");
  } else {
    volumes = phantom(size);
  }
  out << "volume " << QString::fromStdString(volumes.ct->shape.str()) << " ready in " << timer.elapsed() << " ms\n" << Qt::flush;

  VolumeViewer viewer;
  viewer.resize(1280, 900);
  viewer.show();
  while (!viewer.windowHandle() || !viewer.windowHandle()->isExposed())
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  timer.restart();
  viewer.setVolumes(volumes);
  viewer.setShowGroundTruth(true);
  const double setMs = timer.nsecsElapsed() / 1e6;
  // First frames: texture upload, shader compilation, the first isosurfaces.
  timer.restart();
  for (int a = 0; a < 3; ++a) paintFrame(viewer.sliceView(SliceAxis(a)), [] {});
  const double firstSlicesMs = timer.nsecsElapsed() / 1e6;
  timer.restart();
  paintFrame(viewer.view3d(), [] {});
  const double first3dMs = timer.nsecsElapsed() / 1e6;
  out << "setVolumes " << setMs << " ms; first paint: 3 slice views " << firstSlicesMs << " ms, 3D view (upload + surfaces) "
      << first3dMs << " ms\n" << Qt::flush;

  for (VtkHostWidget* v : {viewer.sliceView(SliceAxis::X), viewer.sliceView(SliceAxis::Y),
                           viewer.sliceView(SliceAxis::Z), viewer.view3d()})
    v->setMeasureFrames(true);

  std::vector<double> slice;
  for (int i = 0; i < frames; ++i) {
    slice.push_back(paintFrame(viewer.sliceView(SliceAxis::Z), [&] { viewer.stepSlice(SliceAxis::Z, 1); }));
  }
  out << line("axial slice step (render+blit)", stats(slice)) << Qt::flush;

  // Wheel steps on the axial view at a person's pace, every overlay on (prediction, ground
  // truth, volume rendering): one step every --pace ms (default 300, longer than the settle
  // delay, so a full 3D frame falls due after every step). The latency runs from when the step
  // was due to the axial view's paint of it: a step that had to wait behind a full 3D frame in
  // the GUI thread counts its wait, as the user's queued wheel event would.
  {
    viewer.setShowPrediction(true);
    viewer.setShowGroundTruth(true);
    viewer.setVolumeRenderingVisible(true);
    const int pace = value("--pace", "300").toInt();
    VtkHostWidget* axial = viewer.sliceView(SliceAxis::Z);
    const QPointF at(axial->width() / 2.0, axial->height() / 2.0);
    std::vector<double> latency;
    const int steps = std::max(frames, 12);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < steps; ++i) {
      const double due = (i + 1) * double(pace);
      while (clock.elapsed() < due) QApplication::processEvents(QEventLoop::AllEvents, 2);
      int painted = 0;
      const int wanted = viewer.cursor().z + (i % 8 < 4 ? 1 : -1);
      auto c = QObject::connect(axial, &VtkHostWidget::framePainted, [&] { painted += viewer.sliceScene(SliceAxis::Z).slice() == wanted; });
      QWheelEvent e(at, axial->mapToGlobal(at), QPoint(), QPoint(0, i % 8 < 4 ? 120 : -120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
      QApplication::sendEvent(axial, &e);
      while (!painted && clock.elapsed() < due + 60000) QApplication::processEvents(QEventLoop::AllEvents, 2);
      QObject::disconnect(c);
      latency.push_back(clock.nsecsElapsed() / 1e6 - due);
    }
    out << line(qPrintable(QString("wheel step every %1 ms, all overlays").arg(pace)), stats(latency)) << Qt::flush;
  }
  if (args.contains("--wheel-only")) return 0;

  std::vector<double> threshold;
  for (int i = 0; i < frames; ++i) {
    threshold.push_back(paintFrame(viewer.sliceView(SliceAxis::Z), [&] { viewer.setThreshold(0.3 + 0.4 * (i % 2)); }));
  }
  out << line("axial threshold change", stats(threshold)) << Qt::flush;

  // Side by side (prediction | ground truth): two scenes in one window.
  if (viewer.volumes().groundTruth) {
    viewer.setCompare(true);
    std::vector<double> compare;
    for (int i = 0; i < frames; ++i)
      compare.push_back(paintFrame(viewer.sliceView(SliceAxis::Z), [&] { viewer.stepSlice(SliceAxis::Z, -1); }));
    out << line("axial slice step, side by side", stats(compare)) << Qt::flush;
    viewer.setCompare(args.contains("--compare"));  // kept on for the screenshot when asked
  }

  VtkHostWidget* v3 = viewer.view3d();
  // Waits (event loop running, as in the GUI) until the 3D view shows the full-quality frame of
  // the current state; returns the time from its request to its display (rendered off the GUI
  // thread, StillFrameRenderer).
  auto settledFrame = [&] {
    QElapsedTimer t;
    t.start();
    while (!viewer.view3dShowsFullFrame() && t.elapsed() < 60000) QApplication::processEvents(QEventLoop::AllEvents, 5);
    return viewer.lastFullFrameMs();
  };
  settledFrame();

  // A left-button drag across the 3D view, as a user rotates: each move goes through the VTK
  // interactor (trackball style), which asks for a repaint; the frame is the paint that follows.
  const QPointF centre(v3->width() / 2.0, v3->height() / 2.0);
  auto mouse = [&](QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
    QMouseEvent e(type, pos, v3->mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(v3, &e);
  };
  auto dragOnce = [&](int moves) {
    std::vector<double> drag;
    QPointF pos = centre;
    mouse(QEvent::MouseButtonPress, pos, Qt::LeftButton, Qt::LeftButton);
    for (int i = 0; i < moves; ++i) {
      pos += QPointF(i % 2 ? -12 : 12, 6);
      drag.push_back(paintFrame(v3, [&] { mouse(QEvent::MouseMove, pos, Qt::NoButton, Qt::LeftButton); }));
    }
    mouse(QEvent::MouseButtonRelease, pos, Qt::LeftButton, Qt::NoButton);
    return drag;
  };
  timer.restart();
  const std::vector<double> drag = dragOnce(frames);
  const double stillAfterDrag = settledFrame();
  out << line("3D rotate by mouse drag (interactive)", stats(drag));
  out << QString("%1: %2 ms from request to display\n").arg("3D full frame after it (worker)", -34)
             .arg(stillAfterDrag, 0, 'f', 1) << Qt::flush;
  viewer.setVolumeRenderingVisible(false);
  dragOnce(2);
  out << QString("%1: %2 ms from request to display\n").arg("3D full frame, surfaces only", -34)
             .arg(settledFrame(), 0, 'f', 1) << Qt::flush;
  viewer.setVolumeRenderingVisible(true);

  // A threshold step: the next 3D frame re-extracts the coarse surface (interactive), the
  // worker's full frame the full surface.
  std::vector<double> coarse, full;
  for (int i = 0; i < 4; ++i) {
    coarse.push_back(paintFrame(v3, [&] { viewer.setThreshold(0.35 + 0.1 * i); }));
    full.push_back(settledFrame());
  }
  out << line("3D threshold step, interactive", stats(coarse));
  out << line("3D threshold step, full (worker)", stats(full)) << Qt::flush;
  out << "prediction surface: " << viewer.volumeScene().predictionTriangles(true) << " triangles interactive (CT shrunk "
      << viewer.volumeScene().interactiveShrinkFactor() << "x)\n" << Qt::flush;

  const QString shot = value("--screenshot", "");
  if (!shot.isEmpty()) out << (viewer.saveScreenshot(shot) ? "screenshot " : "could not write ") << shot << "\n" << Qt::flush;
  return 0;
}

// vwb-viewer-bench: frame times of the VolumeViewer on a large volume (default 320^3).
// Prints load time, per-view frame times for slice stepping, 3D rotation (interactive and still
// quality), threshold changes and the 3D surface re-extraction. Needs an X server (Xvfb).
//   vwb-viewer-bench [--size N] [--frames N] [--image F --prediction F [--label F]] [--screenshot F]
#include <QApplication>
#include <QElapsedTimer>
#include <QTextStream>
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
  QApplication::processEvents();
  timer.restart();
  viewer.setVolumes(volumes);
  viewer.setShowGroundTruth(true);
  const double setMs = timer.nsecsElapsed() / 1e6;
  // First frames: texture upload, shader compilation, the first isosurfaces.
  timer.restart();
  for (int a = 0; a < 3; ++a) viewer.sliceView(SliceAxis(a))->repaint();
  const double firstSlicesMs = timer.nsecsElapsed() / 1e6;
  timer.restart();
  viewer.view3d()->repaint();
  const double first3dMs = timer.nsecsElapsed() / 1e6;
  out << "setVolumes " << setMs << " ms; first paint: 3 slice views " << firstSlicesMs << " ms, 3D view (upload + surfaces) "
      << first3dMs << " ms\n" << Qt::flush;

  for (VtkHostWidget* v : {viewer.sliceView(SliceAxis::X), viewer.sliceView(SliceAxis::Y),
                           viewer.sliceView(SliceAxis::Z), viewer.view3d()})
    v->setMeasureFrames(true);

  std::vector<double> slice;
  for (int i = 0; i < frames; ++i) {
    viewer.stepSlice(SliceAxis::Z, 1);
    viewer.sliceView(SliceAxis::Z)->repaint();
    slice.push_back(viewer.sliceView(SliceAxis::Z)->lastFrameMs());
  }
  out << line("axial slice step (render+blit)", stats(slice)) << Qt::flush;

  std::vector<double> threshold;
  for (int i = 0; i < frames; ++i) {
    viewer.setThreshold(0.3 + 0.4 * (i % 2));
    viewer.sliceView(SliceAxis::Z)->repaint();
    threshold.push_back(viewer.sliceView(SliceAxis::Z)->lastFrameMs());
  }
  out << line("axial threshold change", stats(threshold)) << Qt::flush;

  VtkHostWidget* v3 = viewer.view3d();
  vtkRenderWindow* window = v3->renderWindow();
  auto rotate = [&](double rate) {
    window->SetDesiredUpdateRate(rate);
    std::vector<double> t;
    for (int i = 0; i < frames; ++i) {
      v3->renderer()->GetActiveCamera()->Azimuth(10);
      v3->repaint();
      t.push_back(v3->lastFrameMs());
    }
    return stats(t);
  };
  out << line("3D rotate, interactive (15 fps goal)", rotate(15.0)) << Qt::flush;
  out << line("3D rotate, still quality", rotate(0.0001)) << Qt::flush;
  viewer.setVolumeRenderingVisible(false);
  out << line("3D rotate, surfaces only", rotate(0.0001)) << Qt::flush;
  viewer.setVolumeRenderingVisible(true);

  std::vector<double> surface;
  for (int i = 0; i < 4; ++i) {
    viewer.setThreshold(0.35 + 0.1 * i);
    // The surface follows after the viewer's debounce (150 ms): the 3D view's next paint runs
    // flying edges on the whole volume, then renders. That paint's time is the cost.
    timer.restart();
    while (timer.elapsed() < 400) QApplication::processEvents(QEventLoop::AllEvents, 20);
    surface.push_back(v3->lastFrameMs());
  }
  out << line("3D frame after a threshold change", stats(surface)) << Qt::flush;
  out << "prediction surface: " << viewer.volumeScene().predictionTriangles() << " triangles\n" << Qt::flush;

  const QString shot = value("--screenshot", "");
  if (!shot.isEmpty()) out << (viewer.saveScreenshot(shot) ? "screenshot " : "could not write ") << shot << "\n" << Qt::flush;
  return 0;
}

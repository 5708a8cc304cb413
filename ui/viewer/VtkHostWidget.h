#pragma once
// Hosts one VTK renderer in a Qt 6 QOpenGLWidget (Debian's VTK Qt module is Qt 5 and is not
// used). VTK renders into its own framebuffer inside the widget's context (own context off);
// paintGL blits that into the widget's FBO and forces alpha to 1. Mouse events feed a
// vtkGenericRenderWindowInteractor whose renders become update() calls.
// The widget only hosts: every scene lives in a Qt-free class (SliceScene, VolumeScene).
#include <QElapsedTimer>
#include <QImage>
#include <QOpenGLWidget>

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

class QSurface;

namespace vwb::viewer {

class VtkHostWidget : public QOpenGLWidget {
  Q_OBJECT

 public:
  // Camera3D: every mouse event goes to a trackball camera. Slice: the left button and the wheel
  // are reported as signals (cursor, slice navigation); right-drag zooms, middle-drag pans.
  enum class Interaction { Camera3D, Slice };

  explicit VtkHostWidget(Interaction interaction, QWidget* parent = nullptr);
  ~VtkHostWidget() override;

  void setRenderer(vtkRenderer* renderer);
  vtkRenderer* renderer() const { return renderer_; }
  // A second renderer shown in the right half (the first one takes the left half); null
  // gives the whole widget back to renderer().
  void setSideRenderer(vtkRenderer* renderer);
  vtkRenderer* sideRenderer() const { return sideRenderer_; }
  vtkGenericOpenGLRenderWindow* renderWindow() const { return window_; }
  vtkGenericRenderWindowInteractor* interactor() const { return interactor_; }

  // Time of the last paintGL (VTK render + blit), in ms; with measureFrames on, it waits for
  // the GPU (glFinish) so that the number is the real frame time.
  double lastFrameMs() const { return lastFrameMs_; }
  // A finished frame rendered elsewhere (StillFrameRenderer), shown instead of rendering the
  // renderer while it is set and matches the widget's size in device pixels.
  void setStillFrame(const QImage& image);
  void clearStillFrame();
  bool showsStillFrame() const;
  bool hasStillFrame() const { return !still_.isNull(); }
  void setMeasureFrames(bool on) { measureFrames_ = on; }

  // The viewport's size in device pixels (VTK's display coordinates).
  QSize devicePixelSize() const;
  // A widget position (logical pixels, origin top-left) in VTK display coordinates.
  QPointF toDisplay(const QPointF& widgetPos) const;

  static QSurfaceFormat defaultFormat();

 Q_SIGNALS:
  void leftDown(QPointF display, Qt::KeyboardModifiers modifiers);  // press or drag (Slice)
  void wheelSteps(int steps, Qt::KeyboardModifiers modifiers);      // Slice
  void keyPressed(int key, Qt::KeyboardModifiers modifiers);
  void framePainted(double ms);
  // The VTK interactor style began / ended a camera interaction (drag, wheel step): the scene
  // may switch to a cheaper level of detail in between (Camera3D).
  void interactionStarted();
  void interactionEnded();
  void resized();

 protected:
  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;

 private:
  void forwardMouse(QMouseEvent* e, unsigned long vtkEvent);
  void releaseVtk();

  Interaction interaction_;
  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
  vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
  vtkSmartPointer<vtkRenderer> renderer_, sideRenderer_;
  QSurface* surface_ = nullptr;  // the surface Qt renders the widget with (set in initializeGL)
  bool leftHeld_ = false;
  bool measureFrames_ = false;
  double lastFrameMs_ = 0;
  QImage still_;
};

}  // namespace vwb::viewer

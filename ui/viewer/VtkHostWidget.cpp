#include "ui/viewer/VtkHostWidget.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QPainter>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkInteractorStyleImage.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRendererCollection.h>

namespace vwb::viewer {

QSurfaceFormat VtkHostWidget::defaultFormat() {
  // VTK's OpenGL2 backend needs a 3.2 core profile; multisampling is left to VTK (off).
  QSurfaceFormat f;
  f.setRenderableType(QSurfaceFormat::OpenGL);
  f.setVersion(3, 2);
  f.setProfile(QSurfaceFormat::CoreProfile);
  f.setDepthBufferSize(24);
  f.setStencilBufferSize(8);
  f.setAlphaBufferSize(8);
  f.setSamples(0);
  return f;
}

VtkHostWidget::VtkHostWidget(Interaction interaction, QWidget* parent)
    : QOpenGLWidget(parent), interaction_(interaction) {
  setFormat(defaultFormat());
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(120, 120);

  window_ = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
  window_->SetOwnContext(false);  // Qt owns the context; VTK renders inside it
  window_->SetMultiSamples(0);
  window_->SetFrameBlitModeToNoBlit();  // paintGL blits into Qt's FBO itself
  window_->SetReadyForRendering(false);
  window_->SetSupportsOpenGL(1);
  window_->SetIsDirect(1);

  // VTK asks to make its context current: make Qt's context current on its surface without
  // QOpenGLWidget::makeCurrent(), which would rebind Qt's FBO behind VTK's back.
  auto makeCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  makeCurrent->SetClientData(this);
  makeCurrent->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
    auto* w = static_cast<VtkHostWidget*>(self);
    if (w->context() && w->surface_) w->context()->makeCurrent(w->surface_);
  });
  window_->AddObserver(vtkCommand::WindowMakeCurrentEvent, makeCurrent);
  auto isCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  isCurrent->SetClientData(this);
  isCurrent->SetCallback([](vtkObject*, unsigned long, void* self, void* result) {
    auto* w = static_cast<VtkHostWidget*>(self);
    *static_cast<bool*>(result) = w->context() && QOpenGLContext::currentContext() == w->context();
  });
  window_->AddObserver(vtkCommand::WindowIsCurrentEvent, isCurrent);

  interactor_ = vtkSmartPointer<vtkGenericRenderWindowInteractor>::New();
  interactor_->SetRenderWindow(window_);
  // Interactor renders become Qt repaints: VTK only ever renders inside paintGL.
  interactor_->EnableRenderOff();
  auto render = vtkSmartPointer<vtkCallbackCommand>::New();
  render->SetClientData(this);
  render->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
    static_cast<VtkHostWidget*>(self)->update();
  });
  interactor_->AddObserver(vtkCommand::RenderEvent, render);
  vtkSmartPointer<vtkInteractorStyle> style;
  if (interaction_ == Interaction::Camera3D)
    style = vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New();
  else
    style = vtkSmartPointer<vtkInteractorStyleImage>::New();
  for (unsigned long event : {vtkCommand::StartInteractionEvent, vtkCommand::EndInteractionEvent}) {
    auto relay = vtkSmartPointer<vtkCallbackCommand>::New();
    relay->SetClientData(this);
    relay->SetCallback([](vtkObject*, unsigned long id, void* self, void*) {
      auto* w = static_cast<VtkHostWidget*>(self);
      if (id == vtkCommand::StartInteractionEvent)
        Q_EMIT w->interactionStarted();
      else
        Q_EMIT w->interactionEnded();
    });
    style->AddObserver(event, relay);
  }
  interactor_->SetInteractorStyle(style);
  interactor_->Initialize();
}

VtkHostWidget::~VtkHostWidget() { releaseVtk(); }

void VtkHostWidget::releaseVtk() {
  if (!window_) return;
  // GL resources belong to Qt's context: free them while it is current.
  if (context() && surface_) {
    QOpenGLWidget::makeCurrent();
    window_->Finalize();
    doneCurrent();
  }
  window_->RemoveAllObservers();
  interactor_->RemoveAllObservers();
  if (vtkInteractorObserver* style = interactor_->GetInteractorStyle()) style->RemoveAllObservers();
  surface_ = nullptr;
}

void VtkHostWidget::setRenderer(vtkRenderer* renderer) {
  if (renderer_) window_->RemoveRenderer(renderer_);
  renderer_ = renderer;
  if (renderer_) window_->AddRenderer(renderer_);
  update();
}

void VtkHostWidget::setSideRenderer(vtkRenderer* renderer) {
  if (sideRenderer_) window_->RemoveRenderer(sideRenderer_);
  sideRenderer_ = renderer;
  if (sideRenderer_) {
    window_->AddRenderer(sideRenderer_);
    sideRenderer_->SetViewport(0.5, 0, 1, 1);
  }
  if (renderer_) renderer_->SetViewport(0, 0, sideRenderer_ ? 0.5 : 1, 1);
  Q_EMIT resized();  // the renderers' sizes changed: cameras refit
  update();
}

void VtkHostWidget::initializeGL() {
  surface_ = context()->surface();
  window_->SetReadyForRendering(true);
  window_->SetIsCurrent(true);
  window_->OpenGLInitContext();
  window_->SetIsCurrent(false);
}

QSize VtkHostWidget::devicePixelSize() const {
  const qreal dpr = devicePixelRatioF();
  return QSize(qRound(width() * dpr), qRound(height() * dpr));
}

QPointF VtkHostWidget::toDisplay(const QPointF& p) const {
  const qreal dpr = devicePixelRatioF();
  return QPointF(p.x() * dpr, devicePixelSize().height() - 1 - p.y() * dpr);
}

void VtkHostWidget::resizeGL(int, int) {
  const QSize s = devicePixelSize();
  window_->SetSize(s.width(), s.height());
  interactor_->UpdateSize(s.width(), s.height());
  Q_EMIT resized();
}

void VtkHostWidget::setStillFrame(const QImage& image) {
  still_ = image;
  update();
}

void VtkHostWidget::clearStillFrame() {
  if (still_.isNull()) return;
  still_ = QImage();
  update();
}

bool VtkHostWidget::showsStillFrame() const { return !still_.isNull() && still_.size() == devicePixelSize(); }

void VtkHostWidget::paintGL() {
  QElapsedTimer timer;
  timer.start();
  auto* f = context()->extraFunctions();
  const QSize s = devicePixelSize();
  if (showsStillFrame()) {  // a copy of pixels: the frame itself was rendered off this thread
    QPainter painter(this);
    painter.drawImage(QRect(QPoint(0, 0), size()), still_);
    painter.end();
    lastFrameMs_ = timer.nsecsElapsed() / 1e6;
    Q_EMIT framePainted(lastFrameMs_);
    return;
  }
  if (!renderer_) {
    f->glClearColor(0.1f, 0.1f, 0.12f, 1.f);
    f->glClear(GL_COLOR_BUFFER_BIT);
    return;
  }
  // Qt changed GL state since VTK last looked: let VTK re-read it, render, and restore it.
  vtkOpenGLState* state = window_->GetState();
  state->Reset();
  state->Push();
  window_->Render();
  state->Pop();

  vtkOpenGLFramebufferObject* display = window_->GetDisplayFramebuffer();
  if (display && display->GetFBOIndex() != 0) {
    f->glBindFramebuffer(GL_READ_FRAMEBUFFER, display->GetFBOIndex());
    f->glReadBuffer(GL_COLOR_ATTACHMENT0);
    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    f->glDisable(GL_SCISSOR_TEST);
    f->glBlitFramebuffer(0, 0, s.width(), s.height(), 0, 0, s.width(), s.height(),
                         GL_COLOR_BUFFER_BIT, GL_NEAREST);
    f->glBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
  }
  // VTK leaves alpha < 1 where it blended; Qt composes the widget with that alpha otherwise.
  f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  f->glClearColor(0, 0, 0, 1);
  f->glClear(GL_COLOR_BUFFER_BIT);
  f->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
  if (measureFrames_) f->glFinish();
  lastFrameMs_ = timer.nsecsElapsed() / 1e6;
  Q_EMIT framePainted(lastFrameMs_);
}

void VtkHostWidget::forwardMouse(QMouseEvent* e, unsigned long vtkEvent) {
  const QPointF d = toDisplay(e->position());
  interactor_->SetEventInformation(int(d.x()), int(d.y()), e->modifiers() & Qt::ControlModifier ? 1 : 0,
                                   e->modifiers() & Qt::ShiftModifier ? 1 : 0);
  interactor_->InvokeEvent(vtkEvent, e);
}

void VtkHostWidget::mousePressEvent(QMouseEvent* e) {
  setFocus();
  if (interaction_ == Interaction::Slice && e->button() == Qt::LeftButton) {
    leftHeld_ = true;
    Q_EMIT leftDown(toDisplay(e->position()), e->modifiers());
    return;
  }
  switch (e->button()) {
    case Qt::LeftButton: forwardMouse(e, vtkCommand::LeftButtonPressEvent); break;
    case Qt::MiddleButton: forwardMouse(e, vtkCommand::MiddleButtonPressEvent); break;
    case Qt::RightButton: forwardMouse(e, vtkCommand::RightButtonPressEvent); break;
    default: break;
  }
}

void VtkHostWidget::mouseMoveEvent(QMouseEvent* e) {
  if (leftHeld_) {
    Q_EMIT leftDown(toDisplay(e->position()), e->modifiers());
    return;
  }
  forwardMouse(e, vtkCommand::MouseMoveEvent);
}

void VtkHostWidget::mouseReleaseEvent(QMouseEvent* e) {
  if (leftHeld_ && e->button() == Qt::LeftButton) {
    leftHeld_ = false;
    return;
  }
  switch (e->button()) {
    case Qt::LeftButton: forwardMouse(e, vtkCommand::LeftButtonReleaseEvent); break;
    case Qt::MiddleButton: forwardMouse(e, vtkCommand::MiddleButtonReleaseEvent); break;
    case Qt::RightButton: forwardMouse(e, vtkCommand::RightButtonReleaseEvent); break;
    default: break;
  }
}

void VtkHostWidget::wheelEvent(QWheelEvent* e) {
  const int steps = e->angleDelta().y() / 120;
  if (steps == 0) return;
  if (interaction_ == Interaction::Slice) {
    Q_EMIT wheelSteps(steps, e->modifiers());
    return;
  }
  const QPointF d = toDisplay(e->position());
  interactor_->SetEventInformation(int(d.x()), int(d.y()));
  interactor_->InvokeEvent(steps > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent);
}

void VtkHostWidget::keyPressEvent(QKeyEvent* e) {
  // Keys are the viewer's (slice stepping, reset); VTK's own key bindings ('e' exits,
  // 'w' wireframe...) are not wanted here, so nothing is forwarded.
  Q_EMIT keyPressed(e->key(), e->modifiers());
}

}  // namespace vwb::viewer

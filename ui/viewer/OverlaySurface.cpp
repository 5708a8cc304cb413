#include "ui/viewer/OverlaySurface.h"

#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFlyingEdges3D.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkTrivialProducer.h>

namespace vwb::viewer {
namespace {

vtkSmartPointer<vtkActor> surfaceActor(vtkAlgorithm* source, const Rgb& color) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputConnection(source->GetOutputPort());
  mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(color[0], color[1], color[2]);
  actor->GetProperty()->SetSpecular(0.2);
  actor->VisibilityOff();
  return actor;
}

vtkSmartPointer<vtkFlyingEdges3D> flyingEdges(double iso) {
  auto fe = vtkSmartPointer<vtkFlyingEdges3D>::New();
  fe->SetValue(0, iso);
  fe->ComputeNormalsOn();
  fe->ComputeScalarsOff();
  return fe;
}

// Feeds `image` into `target`, through `shrink` when factor > 1.
void feedThroughShrink(vtkAlgorithm* target, vtkImageShrink3D* shrink, vtkAlgorithmOutput* image, int factor) {
  if (factor > 1) {
    shrink->SetInputConnection(image);
    shrink->SetShrinkFactors(factor, factor, factor);
    target->SetInputConnection(shrink->GetOutputPort());
  } else {
    target->SetInputConnection(image);
  }
}

}  // namespace

OverlaySurface::OverlaySurface(Kind kind, const Rgb& color, vtkRenderer* renderer) : kind_(kind) {
  stillShrink_ = vtkSmartPointer<vtkImageShrink3D>::New();
  fastShrink_ = vtkSmartPointer<vtkImageShrink3D>::New();
  fastShrink_->MaximumOn();
  if (kind_ == Kind::Probability) {
    stillShrink_->AveragingOn();
    stillSurface_ = flyingEdges(127.5);
  } else {
    stillShrink_->AveragingOff();
    auto discrete = vtkSmartPointer<vtkDiscreteFlyingEdges3D>::New();
    discrete->SetValue(0, 1);  // label 1 only: 2 (unlabeled) is not ground truth
    discrete->ComputeNormalsOn();
    discrete->ComputeScalarsOff();
    stillSurface_ = discrete;
    labelOne_ = vtkSmartPointer<vtkImageThreshold>::New();
    labelOne_->ThresholdBetween(1, 1);
    labelOne_->SetInValue(1);
    labelOne_->SetOutValue(0);
  }
  fastSurface_ = flyingEdges(kind_ == Kind::Probability ? 127.5 : 0.5);
  stillActor_ = surfaceActor(stillSurface_, color);
  fastActor_ = surfaceActor(fastSurface_, color);
  renderer->AddActor(stillActor_);
  renderer->AddActor(fastActor_);
}

void OverlaySurface::setImage(vtkImageData* image, int stillShrink, int interactiveShrink) {
  hasImage_ = image != nullptr;
  if (hasImage_) {
    // A trivial producer per image: the pipelines below re-execute only when it changes.
    auto producer = vtkSmartPointer<vtkTrivialProducer>::New();
    producer->SetOutput(image);
    feedThroughShrink(stillSurface_, stillShrink_, producer->GetOutputPort(), stillShrink);
    vtkAlgorithmOutput* fastInput = producer->GetOutputPort();
    if (labelOne_) {
      labelOne_->SetInputConnection(fastInput);
      fastInput = labelOne_->GetOutputPort();
    }
    feedThroughShrink(fastSurface_, fastShrink_, fastInput, interactiveShrink);
  }
  updateVisibility();
}

void OverlaySurface::setIsoValue(double iso) {
  if (kind_ != Kind::Probability) return;
  for (vtkAlgorithm* a : {stillSurface_.Get(), fastSurface_.Get()}) {
    auto* fe = vtkFlyingEdges3D::SafeDownCast(a);
    if (fe && fe->GetValue(0) != iso) fe->SetValue(0, iso);
  }
}

void OverlaySurface::setVisible(bool visible) {
  visible_ = visible;
  updateVisibility();
}

void OverlaySurface::setOpacity(double opacity) {
  stillActor_->GetProperty()->SetOpacity(opacity);
  fastActor_->GetProperty()->SetOpacity(opacity);
}

void OverlaySurface::setInteractive(bool interactive) {
  interactive_ = interactive;
  updateVisibility();
}

void OverlaySurface::updateVisibility() {
  stillActor_->SetVisibility(shown(false));
  fastActor_->SetVisibility(shown(true));
}

bool OverlaySurface::shown(bool interactive) const {
  return hasImage_ && visible_ && interactive == interactive_;
}

vtkIdType OverlaySurface::triangles(bool interactive) const {
  vtkAlgorithm* surface = interactive ? fastSurface_.Get() : stillSurface_.Get();
  auto* out = vtkPolyData::SafeDownCast(surface->GetOutputDataObject(0));
  return out ? out->GetNumberOfPolys() : 0;
}

}  // namespace vwb::viewer

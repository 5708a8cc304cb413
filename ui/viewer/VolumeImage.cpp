#include "ui/viewer/VolumeImage.h"

#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>

#include "engine/core/Error.h"

namespace vwb::viewer {

VolumeImage::VolumeImage(std::shared_ptr<const VolumeU8> volume) : volume_(std::move(volume)) {
  if (!volume_) return;
  const Shape3 s = volume_->shape;
  if (static_cast<int64_t>(volume_->data.size()) != s.voxels())
    throw Error("volume " + s.str() + " holds " + std::to_string(volume_->data.size()) + " voxels");
  auto scalars = vtkSmartPointer<vtkUnsignedCharArray>::New();
  scalars->SetNumberOfComponents(1);
  // save = 1: VTK must never free or reallocate the engine's buffer.
  scalars->SetArray(const_cast<uint8_t*>(volume_->data.data()), s.voxels(), 1);
  scalars->SetName("voxels");
  image_ = vtkSmartPointer<vtkImageData>::New();
  image_->SetDimensions(static_cast<int>(s.w), static_cast<int>(s.h), static_cast<int>(s.d));
  image_->SetSpacing(1, 1, 1);
  image_->SetOrigin(0, 0, 0);
  image_->GetPointData()->SetScalars(scalars);
}

}  // namespace vwb::viewer

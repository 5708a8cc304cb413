#pragma once
// A vwb::VolumeU8 seen by VTK as vtkImageData without copying the voxels. The engine's z-major
// layout (index = (z*H + y)*W + x) is VTK's point order (x fastest), so the buffer is shared as is.
// The VolumeImage keeps the volume alive for as long as VTK may read it. No Qt types.
#include <memory>

#include <vtkImageData.h>
#include <vtkSmartPointer.h>

#include "engine/core/Volume.h"

namespace vwb::viewer {

class VolumeImage {
 public:
  VolumeImage() = default;
  // Shares the buffer; VTK only reads it (every filter we attach writes new outputs).
  explicit VolumeImage(std::shared_ptr<const VolumeU8> volume);

  bool empty() const { return !volume_ || volume_->shape.empty(); }
  const VolumeU8& volume() const { return *volume_; }
  std::shared_ptr<const VolumeU8> shared() const { return volume_; }
  vtkImageData* image() const { return image_; }
  Shape3 shape() const { return volume_ ? volume_->shape : Shape3{}; }

 private:
  std::shared_ptr<const VolumeU8> volume_;
  vtkSmartPointer<vtkImageData> image_;
};

}  // namespace vwb::viewer

#include "ui/viewer/OffscreenRender.h"

#include <cstring>

#include <vtkImageData.h>
#include <vtkRenderWindow.h>
#include <vtkSmartPointer.h>
#include <vtkWindowToImageFilter.h>

#include "engine/core/Error.h"

namespace vwb::viewer {

RgbImage renderOffscreen(vtkRenderer* renderer, int width, int height) {
  auto window = vtkSmartPointer<vtkRenderWindow>::New();
  window->SetOffScreenRendering(1);
  window->SetMultiSamples(0);
  window->SetSize(width, height);
  // A renderer belongs to one window at a time: borrow it, give it back below.
  vtkRenderWindow* previous = renderer->GetRenderWindow();
  if (previous) previous->RemoveRenderer(renderer);
  window->AddRenderer(renderer);
  window->Render();

  auto grab = vtkSmartPointer<vtkWindowToImageFilter>::New();
  grab->SetInput(window);
  grab->SetInputBufferTypeToRGB();
  grab->ReadFrontBufferOff();
  grab->Update();
  vtkImageData* image = grab->GetOutput();
  int dims[3];
  image->GetDimensions(dims);
  if (dims[0] != width || dims[1] != height)
    throw Error("offscreen render returned " + std::to_string(dims[0]) + "x" + std::to_string(dims[1]));
  RgbImage out;
  out.width = width;
  out.height = height;
  out.rgb.resize(size_t(width) * height * 3);
  const auto* src = static_cast<const uint8_t*>(image->GetScalarPointer());
  for (int y = 0; y < height; ++y)  // VTK rows start at the bottom
    std::memcpy(&out.rgb[size_t(y) * width * 3], src + size_t(height - 1 - y) * width * 3, size_t(width) * 3);

  window->RemoveRenderer(renderer);
  window->Finalize();
  if (previous) previous->AddRenderer(renderer);
  return out;
}

}  // namespace vwb::viewer

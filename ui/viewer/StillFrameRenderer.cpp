#include "ui/viewer/StillFrameRenderer.h"

#include <cstring>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkWindowToImageFilter.h>

#include "engine/core/Error.h"
#include "ui/viewer/VolumeImage.h"
#include "ui/viewer/VolumeScene.h"

namespace vwb::viewer {

// Lives on the worker thread only, from its first to its last VTK call.
struct StillFrameRenderer::Worker {
  VolumeImage ct, prediction, groundTruth;  // the worker's own vtkImageData over the shared voxels
  std::unique_ptr<VolumeScene> scene;
  vtkSmartPointer<vtkRenderWindow> window;
  vtkSmartPointer<vtkWindowToImageFilter> grab;

  void setVolumes(const StillFrameVolumes& v) {
    if (scene && window) window->RemoveRenderer(scene->renderer());
    scene = std::make_unique<VolumeScene>();
    ct = VolumeImage(v.ct);
    prediction = VolumeImage(v.prediction);
    groundTruth = VolumeImage(v.groundTruth);
    scene->setVolumes(ct, prediction, v.kind, groundTruth);
    scene->setInteractive(false);  // the full level is all this scene is for
    if (!window) {
      window = vtkSmartPointer<vtkRenderWindow>::New();
      window->SetOffScreenRendering(1);
      window->SetMultiSamples(0);
      grab = vtkSmartPointer<vtkWindowToImageFilter>::New();
      grab->SetInput(window);
      grab->SetInputBufferTypeToRGB();
      grab->ReadFrontBufferOff();
    }
    window->AddRenderer(scene->renderer());
  }

  RgbImage render(const StillFrameRequest& r) {
    if (!scene || ct.empty()) throw Error("no volume to render");
    scene->setWindowLevel(r.window, r.level);
    scene->setPreset(r.preset);
    scene->setOverlay(r.overlay);
    scene->setVolumeRenderingVisible(r.volumeVisible);
    scene->setCursor(r.cursor);
    vtkCamera* cam = scene->renderer()->GetActiveCamera();
    cam->SetPosition(r.camera.position);
    cam->SetFocalPoint(r.camera.focalPoint);
    cam->SetViewUp(r.camera.viewUp);
    cam->SetViewAngle(r.camera.viewAngle);
    cam->SetParallelProjection(r.camera.parallel);
    cam->SetParallelScale(r.camera.parallelScale);
    scene->renderer()->ResetCameraClippingRange();
    window->SetSize(r.width, r.height);
    window->Render();
    grab->Modified();
    grab->Update();
    vtkImageData* image = grab->GetOutput();
    int dims[3];
    image->GetDimensions(dims);
    if (dims[0] != r.width || dims[1] != r.height)
      throw Error("offscreen render returned " + std::to_string(dims[0]) + "x" + std::to_string(dims[1]));
    RgbImage out;
    out.width = r.width;
    out.height = r.height;
    out.rgb.resize(size_t(r.width) * r.height * 3);
    const auto* src = static_cast<const uint8_t*>(image->GetScalarPointer());
    for (int y = 0; y < r.height; ++y)  // VTK rows start at the bottom
      std::memcpy(&out.rgb[size_t(y) * r.width * 3], src + size_t(r.height - 1 - y) * r.width * 3, size_t(r.width) * 3);
    return out;
  }

  ~Worker() {
    if (window) {
      if (scene) window->RemoveRenderer(scene->renderer());
      window->Finalize();
    }
  }
};

StillFrameRenderer::StillFrameRenderer(Deliver deliver) : deliver_(std::move(deliver)) {
  thread_ = std::thread([this] { loop(); });
}

StillFrameRenderer::~StillFrameRenderer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
    pending_.reset();
  }
  wake_.notify_all();
  thread_.join();
}

void StillFrameRenderer::setVolumes(StillFrameVolumes volumes) {
  std::lock_guard<std::mutex> lock(mutex_);
  volumes_ = std::move(volumes);
  pending_.reset();  // a frame of the old volumes is of no use
}

void StillFrameRenderer::request(const StillFrameRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = request;
  }
  wake_.notify_all();
}

void StillFrameRenderer::cancelPending() {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.reset();
}

void StillFrameRenderer::loop() {
  // Below the GUI thread: on two cores a full frame (seconds of llvmpipe work) must not take
  // the CPU from a slice step. Linux keeps a nice value per thread, and the rasterizer threads
  // llvmpipe starts with this thread's GL context inherit it.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  Worker worker;
  for (;;) {
    std::optional<StillFrameVolumes> volumes;
    StillFrameRequest request;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return quit_ || pending_.has_value(); });
      if (quit_) break;
      volumes = std::exchange(volumes_, std::nullopt);
      request = *pending_;
      pending_.reset();
    }
    try {
      if (volumes) worker.setVolumes(*volumes);
      RgbImage image = worker.render(request);
      deliver_(request.generation, std::move(image), {});
    } catch (const std::exception& e) {
      deliver_(request.generation, {}, e.what());
    }
  }
}

}  // namespace vwb::viewer

#pragma once
// The 3D view's full-quality frame, rendered off the GUI thread. On llvmpipe that frame (the
// full CT ray cast and the still surfaces) takes 0.5-4 s at 320^3; rendered in the GUI thread it
// held up every slice step and click behind it. Here a worker thread owns a second VolumeScene
// over the same voxel buffers (VTK objects are never shared between threads; the buffers are
// only read) and an offscreen render window of its own, renders the latest request, and hands
// the pixels back through `deliver` (called on the worker). Requests coalesce: a request made
// while a frame renders replaces any pending one, so a burst of changes costs one more frame.
// Debian's VTK renders offscreen through X (Xvfb in tests), with its own display connection.
// No Qt types.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/core/Volume.h"
#include "ui/viewer/OffscreenRender.h"
#include "ui/viewer/TransferPresets.h"
#include "ui/viewer/ViewerTypes.h"

namespace vwb::viewer {

struct CameraState {
  double position[3] = {0, 0, 1}, focalPoint[3] = {0, 0, 0}, viewUp[3] = {0, 1, 0};
  double viewAngle = 30, parallelScale = 1;
  bool parallel = false;
};

// Everything the 3D scene shows, as of one moment of the GUI.
struct StillFrameRequest {
  uint64_t generation = 0;  // the GUI's count of changes: a delivered frame is current when equal
  int width = 0, height = 0;
  CameraState camera;
  OverlaySettings overlay;
  double window = 255, level = 128;
  TransferPreset preset = TransferPreset::Papyrus;
  bool volumeVisible = true;
  Voxel cursor;
};

struct StillFrameVolumes {
  std::shared_ptr<const VolumeU8> ct, prediction, groundTruth;
  PredictionKind kind = PredictionKind::Probability255;
};

class StillFrameRenderer {
 public:
  // deliver(generation, image, error): image empty and error set when the frame failed.
  using Deliver = std::function<void(uint64_t, RgbImage, std::string)>;
  explicit StillFrameRenderer(Deliver deliver);
  ~StillFrameRenderer();  // drops what is pending, waits for a frame in progress
  StillFrameRenderer(const StillFrameRenderer&) = delete;
  StillFrameRenderer& operator=(const StillFrameRenderer&) = delete;

  void setVolumes(StillFrameVolumes volumes);
  void request(const StillFrameRequest& request);
  void cancelPending();

 private:
  struct Worker;
  void loop();

  Deliver deliver_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<StillFrameRequest> pending_;
  std::optional<StillFrameVolumes> volumes_;  // new volumes not yet taken by the worker
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace vwb::viewer

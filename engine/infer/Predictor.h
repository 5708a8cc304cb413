#pragma once
// Sliding-window prediction of whole volumes with a trained checkpoint: windows of the
// checkpoint's patch size at step patch*(1-overlap), spread so the last touches the edge,
// Gaussian importance weights (sigma = patch/8), test-time augmentation, tiles batched,
// volumes spread over devices with worker threads.
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"
#include "engine/train/TrainConfig.h"  // AmpMode

namespace vwb {

enum class Tta { None, Flips, Full };  // Flips: up to 8 flip combinations; Full: + in-plane 90 deg rotations

struct PredictOptions {
  double overlap = 0.5;
  Tta tta = Tta::None;
  bool averageLogits = false;        // TTA averaged in logit space; default: probability space
  int batch = 2;                     // tiles per forward pass
  std::vector<std::string> devices;  // {"cpu"} by default; "cuda:0", ... (a model replica and
                                     // worker thread each, sharing the tiles of a volume)
  int threads = 0;                   // intra-op threads (0 = all cores)
  // Autocast for the network's forward pass, chosen per device as training chooses it: auto is
  // fp32 on the CPU (the masks of a CPU run are those of fp32) and fp16 or bf16 on a GPU with
  // tensor cores (a T4: fp16, twice the fp32 rate and half the activation memory).
  AmpMode amp = AmpMode::Auto;
};

class Predictor {
 public:
  // Loads the checkpoint (model config, patch, normalization, weights) onto every device.
  // Throws vwb::Error naming the file when it is not a usable checkpoint.
  Predictor(const std::string& checkpointPath, const PredictOptions& options);
  ~Predictor();
  Predictor(const Predictor&) = delete;
  Predictor& operator=(const Predictor&) = delete;

  // Foreground probability for every voxel, stored as uint8 (round(p*255)).
  VolumeU8 predict(const VolumeU8& image, ProgressSink* progress = nullptr,
                   const CancelToken* cancel = nullptr);
  Shape3 patch() const;
  // What each device computes in, with the reason: "cpu: CPU: fp32 (...)", one line per device.
  std::string precisionNote() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vwb

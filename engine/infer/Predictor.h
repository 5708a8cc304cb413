#pragma once
// Sliding-window prediction of whole volumes with a trained checkpoint: windows of the
// checkpoint's patch size at step patch*(1-overlap), spread so the last touches the edge,
// Gaussian importance weights (sigma = patch/8), test-time augmentation, tiles batched,
// volumes spread over devices with worker threads.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"
#include "engine/model/Precision.h"  // AmpMode

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
  // Compute capability {major, minor} of each CUDA device in `devices` (same order; missing or
  // {0, 0} = ask CUDA). For builds that cannot ask CUDA themselves: the Kaggle kit's library,
  // whose Python side asks torch.cuda.get_device_capability, so that auto picks fp16 on a T4.
  std::vector<std::pair<int, int>> cudaCapabilities;
  // Worker threads per device sharing its model replica (0 = auto: 2 on a GPU, 1 on the CPU). On
  // a GPU one worker's host work (gathering tiles, blending, copies) overlaps the other's forward
  // pass, each on a CUDA stream of its own where this build has CUDA; the CPU's cores are already
  // the intra-op threads of one forward pass.
  int workersPerDevice = 0;
};

// What one predict() cost (vwb predict prints it per volume; packaging/bench-predict compares it
// with a plain PyTorch loop): network evaluations (windows x TTA variants), the seconds inside the
// network (forward passes with their copies to and from the device; summed over the devices'
// worker threads, so divide by `workers` for a share of the wall time) and the whole call's seconds.
struct PredictTiming {
  int64_t evaluations = 0;
  double networkSeconds = 0, seconds = 0;
  int workers = 1;  // worker threads that called the network
  PredictTiming& operator+=(const PredictTiming& o);
  double evaluationsPerSecond() const { return seconds > 0 ? evaluations / seconds : 0; }
  double outsideNetworkShare() const;  // of the wall time, in [0, 1]
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
  PredictTiming lastTiming() const;
  // What each device computes in, with the reason: "cpu: CPU: fp32 (...)", one line per device.
  std::string precisionNote() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vwb

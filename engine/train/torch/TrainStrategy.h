#pragma once
// How one optimizer step is carried out on the hardware (torch). The training loop
// (Trainer.cpp) is one fixed sequence: it samples the global batch for step s deterministically
// and hands it to a strategy; the strategy decides how to split it over devices and micro-batches.
//   single : SingleDeviceStrategy (this module)
//   ddp/dp : multi-device strategies (engine/distributed) implement the same interface.
// Exactness contract: loss = mean over the global batch of perSampleLoss() (Loss.h), so any split
// into shards/micro-batches that backpropagates sum(shard losses) / globalBatch gives the same
// gradients as one big batch (with instance or group norm).
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/model/torch/UNet3DImpl.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainingSource.h"
#include "engine/train/TrainingVolume.h"
#include "engine/train/TrainingEvents.h"

namespace vwb {

// The samples of one optimizer step, on the CPU (zero-copy views of the pipeline's buffers).
struct GlobalBatch {
  int64_t step = 0;     // 0-based optimizer step
  torch::Tensor image;  // [N,1,P,P,P] float32, normalized and augmented
  torch::Tensor label;  // [N,1,P,P,P] uint8: 0 background, 1 surface, 2 ignored
  torch::Tensor skeleton;  // [N,1,P,P,P] uint8 tubes around the label's skeleton (skeleton recall only)
  int64_t size() const { return image.defined() ? image.size(0) : 0; }
};

struct StepResult {
  double loss = 0;        // mean per-sample loss over the global batch
  double gradNorm = 0;    // total gradient norm before clipping
  bool skipped = false;   // inf/NaN loss or gradients: no update (fp16: loss scale reduced)
  int64_t microBatch = 0; // per-device micro-batch in use (smaller after an out-of-memory)
  // Where the step's time went. commSeconds: what the step waited for gradient communication
  // after its own compute (DDP: the all-reduce not hidden behind backward, and the loss
  // all-reduce; DP: replicating the weights and gathering gradients on device 0). deviceSeconds:
  // forward + backward time of each local device (rank), for the spread that shows a straggler.
  double commSeconds = 0;
  std::vector<double> deviceSeconds;
};

// Everything a strategy gets from the loop.
struct StrategyContext {
  TrainConfig config;        // resolved settings (devices, batchPerDevice, amp, seed, ...)
  LogSink* log = nullptr;    // warnings such as "out of memory: micro-batch 4 -> 2"
  // The training data (null in benchmarks): nodes of a multi-node run check they agree on it.
  const TrainingSource* source = nullptr;
  const std::vector<int>* trainVolumes = nullptr;  // indices into source->volumes()
  // Called before each micro-batch's forward pass (step, device index, micro-batch size).
  // Tests throw a simulated out-of-memory error from here.
  std::function<void(int64_t step, int device, int64_t microBatch)> beforeMicroBatch;
};

class TrainStrategy {
 public:
  virtual ~TrainStrategy() = default;
  virtual std::string name() const = 0;                   // "single", "ddp", "dp"
  virtual std::vector<std::string> devices() const = 0;   // "cpu", "cuda:0", ...
  virtual std::string precisionName() const = 0;          // "fp32", "fp16", "bf16"

  // Builds the replicas (same weights everywhere: makeUNet3D(config.model, config.seed)),
  // optimizers and mixed-precision state. Called once, before anything else.
  virtual void setup(const StrategyContext& context) = 0;

  // One optimizer step over the whole global batch with learning rate `lr`: forward/backward
  // (split as the strategy likes), gradient-norm clipping, AdamW update. Out-of-memory errors
  // are handled inside (smaller micro-batches, same global batch); other errors propagate.
  virtual StepResult step(const GlobalBatch& batch, double lr) = 0;

  // The loop hands over the next step's batch before it runs the current one when this returns
  // true: a CUDA strategy starts its host-to-device copies then (BatchStaging.h), overlapping
  // the current step's compute. CPU strategies need no look-ahead.
  virtual bool overlapsCopies() const { return false; }
  virtual void prefetch(const GlobalBatch& next) { (void)next; }

  // Logits for validation tiles [N,1,P,P,P] (CPU in, CPU float32 out), eval mode, no grad.
  virtual torch::Tensor predictLogits(const torch::Tensor& image) = 0;

  // The reference replica (rank 0 / device 0): what checkpoints save and load.
  virtual UNet3DImpl& model() = 0;

  // Optimizer, loss scaler and strategy state (not the model: the loop writes that). loadState
  // runs after setup() and after the loop loaded model() from the checkpoint: strategies with
  // replicas copy model() to them here.
  virtual void saveState(torch::serialize::OutputArchive& archive) = 0;
  virtual void loadState(torch::serialize::InputArchive& archive) = 0;

  // Several nodes: every node gets node 0's `bytes` (node 0 passes them, the others pass
  // nothing); how a resumed run shares one checkpoint without a shared folder. One process:
  // returns `bytes` unchanged.
  virtual std::string fromNodeZero(std::string bytes, const std::string& what) {
    (void)what;
    return bytes;
  }

  // Per-device memory now (CUDA allocator figures, or process RSS for CPU devices).
  virtual std::vector<DeviceMemory> memory() const = 0;
};

// device: "cpu" or "cuda:N".
std::unique_ptr<TrainStrategy> makeSingleDeviceStrategy(const std::string& device);

}  // namespace vwb

#pragma once
// What a training run tells the outside world (vwb's console, the GUI monitor, metrics.jsonl).
// Called from engine threads: implementations must be thread-safe and must not block for long.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"

namespace vwb {

// Memory of one device at one moment. CUDA: caching-allocator figures and cudaMemGetInfo.
// One CPU device: allocated = process RSS. CPU ranks (cpu:N with ddp/dp): allocated and peak =
// the bytes of the tensors that rank's thread allocated during its steps (one process holds them
// all, so each rank's own share is what tells a lopsided rank). total = physical RAM.
struct DeviceMemory {
  std::string device;  // "cuda:0", "cpu:1"
  int64_t allocatedBytes = 0;
  int64_t reservedBytes = 0;
  int64_t peakBytes = 0;
  int64_t freeBytes = 0;
  int64_t totalBytes = 0;
  // Share of the last sample period (NVML: 1/6 to 1 s) in which the GPU ran a kernel, 0..1;
  // -1 where unknown (CPU devices, or no NVIDIA driver library to ask).
  double busy = -1;
};

struct RunStartEvent {
  std::string runDir;
  std::string strategy;              // "single", "ddp", "dp"
  std::vector<std::string> devices;  // "cpu:0", "cuda:1"
  int64_t epochs = 0, stepsPerEpoch = 0, startStep = 0, startEpoch = 0;
  int64_t globalBatch = 0;
  std::string configJson;            // the resolved config.json
};

struct StepEvent {
  int64_t step = 0;  // global optimizer step, 1-based
  int64_t epoch = 0, stepInEpoch = 0, stepsPerEpoch = 0, totalSteps = 0;
  double loss = 0, lr = 0;
  double samplesPerSec = 0;
  double dataWaitFraction = 0;  // share of step time spent waiting for batches
  double commWaitFraction = 0;  // share of step time spent waiting for gradient communication
                                // (DDP: exposed all-reduce; DP: replicate and gather; single: 0)
  double stepSpread = 0;        // (slowest - fastest) / slowest compute time of the step's
                                // devices (ranks of this node): a straggler shows here; 0 for one
  double secondsPerStep = 0;    // this step's wall time
  double elapsedSec = 0;        // since the run (or resume) started
  double etaSec = 0;
  std::vector<DeviceMemory> memory;
};

struct EpochEvent {
  int64_t epoch = 0, epochs = 0;
  double trainLoss = 0;
  std::optional<double> valLoss, valDice;
  double valDiceEma = 0;   // moving average used to pick best.pt
  bool best = false;       // best.pt was written at this epoch
  double epochSec = 0;
  // The validation preview written at this epoch (ValidationPreview.h): its file (full path;
  // metrics.jsonl records it relative to the run folder), volume id and slice. Empty: none.
  std::string previewPath, previewVolume;
  int64_t previewZ = -1;
};

enum class RunOutcome { Finished, Stopped, Failed };

struct RunEndEvent {
  RunOutcome outcome = RunOutcome::Finished;
  std::string message;  // failure reason, or where the checkpoint is
  int64_t step = 0, epoch = 0;
};

class TrainingSink : public LogSink {
 public:
  void log(LogLevel, const std::string&) override {}
  virtual void onRunStart(const RunStartEvent&) {}
  virtual void onStep(const StepEvent&) {}
  virtual void onEpoch(const EpochEvent&) {}
  virtual void onCheckpoint(const std::string& /*path*/) {}
  virtual void onRunEnd(const RunEndEvent&) {}
};

}  // namespace vwb

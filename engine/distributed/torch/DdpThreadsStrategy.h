#pragma once
// DDP in worker threads (torch). One thread per local device, each with its own
// replica, AdamW state and loss scaler, and its own shard of every global batch; gradients are
// averaged by a GradientBucketer over a c10d group (HashStore in one process, TCPStore across
// nodes). All ranks see identical averaged gradients, so clipping, inf/NaN skips and updates
// agree without further communication. Ranks are threads, so this runs inside the GUI too.
// Out of memory on any rank: every rank still completes the step's collectives, they agree on
// it through the loss all-reduce, drop the attempt, halve the micro-batch and redo the step
// (the global batch is kept by accumulation), like the single-device strategy.
#include <memory>
#include <vector>

#include "engine/distributed/RankWorkers.h"
#include "engine/distributed/Rendezvous.h"
#include "engine/distributed/torch/DeviceList.h"
#include "engine/distributed/torch/GradientBucketer.h"
#include "engine/train/torch/StrategyStep.h"

namespace vwb::dist {

class DdpThreadsStrategy : public TrainStrategy {
 public:
  explicit DdpThreadsStrategy(const TrainConfig& config);
  ~DdpThreadsStrategy() override;
  std::string name() const override { return "ddp"; }
  // Every rank of the run (so the loop's global batch counts all nodes): local names on one
  // node, "nodeK/cuda:0" labels across nodes.
  std::vector<std::string> devices() const override;
  std::string precisionName() const override { return vwb::precisionName(precision_); }
  void setup(const StrategyContext& context) override;
  StepResult step(const GlobalBatch& batch, double lr) override;
  torch::Tensor predictLogits(const torch::Tensor& image) override;
  UNet3DImpl& model() override { return *ranks_.front()->model; }
  void saveState(torch::serialize::OutputArchive& archive) override;
  void loadState(torch::serialize::InputArchive& archive) override;
  std::string fromNodeZero(std::string bytes, const std::string& what) override;
  std::vector<DeviceMemory> memory() const override;
  bool overlapsCopies() const override { return local_.front().device.is_cuda(); }
  void prefetch(const GlobalBatch& next) override;
  const CommStats& lastCommStats() const { return lastStats_; }

 private:
  struct Rank {
    LocalDevice device;
    int globalRank = 0;
    std::unique_ptr<Communicator> comm;
    UNet3D model{nullptr};
    OptimizerUpdate update;  // optimizer, loss scaler, micro-batch (halved on every rank together)
    std::unique_ptr<GradientBucketer> bucketer;
    StepResult result;
    CommStats stats;
    double computeSec = 0, commSec = 0;  // this step: forward/backward, then waiting on comms
    CpuRankMemory memory;                // CPU ranks: this rank's tensor bytes
    std::unique_ptr<BatchStaging> staging;  // the next shard's copy to the GPU, overlapping compute
  };
  void stepRank(Rank& r, const GlobalBatch& batch, double lr);

  TrainConfig config_;
  StrategyContext context_;
  RendezvousSpec spec_;
  std::vector<LocalDevice> local_;
  Precision precision_ = Precision::F32;
  std::shared_ptr<AbortSignal> abort_ = std::make_shared<AbortSignal>();
  c10::intrusive_ptr<c10d::Store> store_;
  std::vector<std::unique_ptr<Rank>> ranks_;
  std::unique_ptr<RankWorkers> workers_;
  int threadsPerRank_ = 1;
  CommStats lastStats_;
};

}  // namespace vwb::dist

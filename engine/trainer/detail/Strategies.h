#pragma once
// The one set of training strategies the engine has (private: torch). The trainer builds every
// run's strategy here, so every front end (vwb, the workbench, benchmarks, tests) gets all of
// them by linking the engine; there is nothing to register.
//   single : one device (cpu or cuda:N)                      engine/train SingleDeviceStrategy
//   ddp    : one worker thread per device, gradients all-reduced in buckets; several nodes
//            over a TCP rendezvous with the same engine       engine/distributed DdpThreadsStrategy
//   dp     : DataParallel: replicas on every device, gradients reduced on device 0
//   auto   : ddp when the config names several devices (cpu:N, several cuda:I) or nodes, else single
#include <memory>

#include "engine/train/TrainConfig.h"
#include "engine/train/torch/TrainStrategy.h"

namespace vwb {

// Every StrategyKind is handled; bad device lists throw vwb::Error naming the problem.
std::unique_ptr<TrainStrategy> makeStrategy(const TrainConfig& config);

}  // namespace vwb

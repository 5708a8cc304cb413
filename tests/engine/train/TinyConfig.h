#pragma once
// The tiny CPU training run the trainer tests share: a 2-level, 4-channel U-Net on 16^3 patches,
// 2 epochs of 5 steps, a third of the volumes held out. Tests change what they test on top.
#include <string>

#include "engine/train/TrainConfig.h"

namespace vwbtest {

inline vwb::TrainConfig tinyTrainConfig(const std::string& runDir) {
  vwb::TrainConfig c;
  c.run.dir = runDir;
  c.model.levels = 2;
  c.model.baseChannels = 4;
  c.data.patch = 16;
  c.data.batchPerDevice = 2;
  c.run.epochs = 2;
  c.run.stepsPerEpoch = 5;
  c.optimizer.lr = 3e-3;
  c.optimizer.warmupFraction = 0.2;
  c.data.workers = 2;
  c.data.prefetch = 2;
  c.run.threads = 2;
  c.validation.fraction = 0.34;
  c.run.seed = 3;
  return c;
}

}  // namespace vwbtest

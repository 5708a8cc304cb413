#pragma once
// The tiny CPU training run the trainer tests share: a 2-level, 4-channel U-Net on 16^3 patches,
// 2 epochs of 5 steps, a third of the volumes held out. Tests change what they test on top.
#include <string>

#include "engine/train/TrainConfig.h"

namespace vwbtest {

inline vwb::TrainConfig tinyTrainConfig(const std::string& runDir) {
  vwb::TrainConfig c;
  c.runDir = runDir;
  c.model.levels = 2;
  c.model.baseChannels = 4;
  c.patch = 16;
  c.batchPerDevice = 2;
  c.epochs = 2;
  c.stepsPerEpoch = 5;
  c.lr = 3e-3;
  c.warmupFraction = 0.2;
  c.workers = 2;
  c.prefetch = 2;
  c.threads = 2;
  c.valFraction = 0.34;
  c.seed = 3;
  return c;
}

}  // namespace vwbtest

#pragma once
// The smallest real training run the GUI tests drive: a 2-level, base-4 UNet on 16^3 patches,
// one data worker and one intra-op thread, fp32 on the CPU, a third of the volumes validated on
// a 16^3 crop. Seconds on two cores; tests change what they are about.
#include <string>

#include "engine/train/TrainConfig.h"

namespace vwbtest {

inline vwb::TrainConfig tinyTrainConfig(const std::string& dataDir, const std::string& runDir,
                                        int epochs, int stepsPerEpoch) {
  vwb::TrainConfig c;
  c.dataDir = dataDir;
  c.runDir = runDir;
  c.model.levels = 2;
  c.model.baseChannels = 4;
  c.patch = 16;
  c.batchPerDevice = 2;
  c.epochs = epochs;
  c.stepsPerEpoch = stepsPerEpoch;
  c.workers = 1;
  c.prefetch = 2;
  c.threads = 1;
  c.valFraction = 0.34;
  c.valCrop = 16;
  c.amp = vwb::AmpMode::Off;
  c.devices = {"cpu"};
  return c;
}

}  // namespace vwbtest

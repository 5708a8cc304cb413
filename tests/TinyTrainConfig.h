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
  c.run.dataDir = dataDir;
  c.run.dir = runDir;
  c.model.levels = 2;
  c.model.baseChannels = 4;
  c.data.patch = 16;
  c.data.batchPerDevice = 2;
  c.run.epochs = epochs;
  c.run.stepsPerEpoch = stepsPerEpoch;
  c.data.workers = 1;
  c.data.prefetch = 2;
  c.run.threads = 1;
  c.validation.fraction = 0.34;
  c.validation.crop = 16;
  c.run.amp = vwb::AmpMode::Off;
  c.distributed.devices = {"cpu"};
  return c;
}

}  // namespace vwbtest

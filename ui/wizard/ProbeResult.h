#pragma once
// What the probe measured: a few seconds of real training with the planned settings.
#include <string>
#include <vector>

#include "engine/train/TrainingEvents.h"

namespace vwb::ui {

struct ProbeResult {
  int steps = 0;                 // optimizer steps measured (the first, warm-up step excluded)
  double samplesPerSec = 0;      // median over the measured steps
  double secondsPerStep = 0;
  std::vector<DeviceMemory> peak;  // highest memory seen per device
  int batchPerDevice = 0, patch = 0;  // the settings it measured
};

}  // namespace vwb::ui

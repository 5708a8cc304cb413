#pragma once
// A labelled training volume decoded into memory (uint8 image, labels 0/1/2).
#include <string>

#include "engine/core/Volume.h"

namespace vwb {

struct TrainingVolume {
  std::string id;
  std::string scrollId;  // validation is split by scroll when there are several
  VolumeU8 image;
  VolumeU8 label;
};

}  // namespace vwb

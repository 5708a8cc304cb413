#pragma once
// The full sliding-window validation of one checkpoint of a run (torch-free): what the run's end
// writes for its final model and what `vwb validate --run RUN --checkpoint NAME` (Trainer.h:
// validateRun) writes on request, as RUN/validation/NAME.json:
//   {"format": "vwb-validation-1", "checkpoint": "last", "step": 400, "epoch": 10, "dice": 0.61,
//    "loss": 0.52, "tiles": 1000, "seconds": 93.1, "crop": 0,
//    "volumes": [{"id": "1004283650", "dice": 0.63}, ...]}
// Dice: hard Dice (logit > 0) over every validated voxel, label 2 ignored; loss: the training loss
// averaged over tiles. One schema, one codec (this file).
#include <cstdint>
#include <string>
#include <vector>

namespace vwb {

inline constexpr const char* kValidationFolder = "validation";
inline constexpr const char* kValidationFormat = "vwb-validation-1";

struct FullValidationRecord {
  std::string checkpoint;  // best | last | ema
  int64_t step = 0, epoch = 0;
  double dice = 0, loss = 0;
  int64_t tiles = 0;
  double seconds = 0;
  int crop = 0;  // val_crop it ran with (0: whole volumes)
  struct Volume {
    std::string id;
    double dice = 0;
  };
  std::vector<Volume> volumes;

  std::string toJson() const;
  static FullValidationRecord fromJson(const std::string& json);  // throws vwb::Error
};

// RUN/validation/NAME.json
std::string fullValidationPath(const std::string& runDir, const std::string& checkpoint);
void writeFullValidation(const std::string& runDir, const FullValidationRecord& record);  // atomic
// Throws vwb::Error naming the file when it is missing or not such a record.
FullValidationRecord readFullValidation(const std::string& path);

}  // namespace vwb

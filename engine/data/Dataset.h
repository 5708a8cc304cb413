#pragma once
// The competition layout: train_images/<id>.tif, train_labels/<id>.tif, test_images/<id>.tif,
// train.csv and test.csv (id,scroll_id). Scanning never throws for content problems: it lists
// every problem in the report (errors stop training, warnings are shown).
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

namespace vwb {

struct VolumeEntry {
  std::string id;
  std::string scrollId;   // from the CSV; empty when the CSV has no row
  std::string imagePath;  // absolute
  std::string labelPath;  // absolute; empty for test volumes or a missing label
  Shape3 shape;           // from the TIFF header (zero if unreadable)
};

struct DatasetReport {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  bool ok() const { return errors.empty(); }
  std::string format() const;  // human-readable, one problem per line
};

struct Dataset {
  std::string root;
  std::vector<VolumeEntry> train;  // paired with labels (when present)
  std::vector<VolumeEntry> test;
  DatasetReport report;
};

// Throws vwb::Error only when root is not a readable directory.
// checkLabelValues reads every label volume to find values outside {0,1,2} (slower).
Dataset scanDataset(const std::string& root, bool checkLabelValues = true,
                    ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr);

}  // namespace vwb

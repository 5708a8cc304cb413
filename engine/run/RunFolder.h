#pragma once
// The run folder's one owner: every path of a run folder, for the engine (trainer, run log, run
// lock, previews, split), the GUI (monitor, predictions, export, wizard) and `vwb`. Nothing else
// spells a run folder's file names.
//
//   RUN/config.json              the run's TrainConfig (node R > 0: RUN/nodes/node-R/config.json)
//   RUN/split.json               the validation split
//   RUN/metrics.jsonl            one record per line (engine/run/MetricsJsonl.h), node 0 only
//   RUN/logs/training.log        (node R > 0: RUN/nodes/node-R/training.log)
//   RUN/run.lock                 (node R > 0: RUN/nodes/node-R/run.lock)
//   RUN/checkpoints/{last,best,ema}.pt
//   RUN/previews/epoch-NNNN.tif  validation previews
//   RUN/predictions/<id>.tif     0/1 masks (`vwb predict --out RUN/predictions`)
//   RUN/predictions/prob/<id>.tif  probabilities, round(p * 255)
//   RUN/predictions/postprocess.json  the masks' post-processing record (vwb-postprocess/1)
//   RUN/submission.zip           and RUN/submission.postprocess.json beside it
#include <string>

namespace vwb {

class RunFolder {
 public:
  explicit RunFolder(std::string root, int nodeRank = 0) : root_(std::move(root)), nodeRank_(nodeRank) {}

  const std::string& root() const { return root_; }
  int nodeRank() const { return nodeRank_; }

  // Node 0 keeps its files in the root; node R > 0 of a multi-node run sharing the folder keeps
  // its own in RUN/nodes/node-R.
  std::string nodeFolder() const;
  std::string config() const;
  std::string split() const;
  std::string metrics() const;
  std::string logs() const;         // the folder of training.log
  std::string trainingLog() const;
  std::string lock() const;
  std::string checkpoints() const;
  std::string checkpoint(const std::string& name) const;  // checkpoints/<name>
  std::string lastCheckpoint() const { return checkpoint(kLastCheckpoint); }
  std::string bestCheckpoint() const { return checkpoint(kBestCheckpoint); }
  std::string emaCheckpoint() const { return checkpoint(kEmaCheckpoint); }
  std::string previews() const;
  std::string predictions() const;    // the masks
  std::string probabilities() const;  // predictions/prob
  std::string postProcessRecord() const;
  std::string submission() const;

  // The post-processing record of the masks in a folder (a run's predictions/ or any other).
  static std::string postProcessRecordIn(const std::string& maskFolder);
  // The post-processing record written beside a zip: <folder>/<zip's stem>.postprocess.json.
  static std::string postProcessBeside(const std::string& zipPath);

  static constexpr const char* kLastCheckpoint = "last.pt";
  static constexpr const char* kBestCheckpoint = "best.pt";
  static constexpr const char* kEmaCheckpoint = "ema.pt";
  static constexpr const char* kConfigFile = "config.json";
  static constexpr const char* kSplitFile = "split.json";
  static constexpr const char* kMetricsFile = "metrics.jsonl";
  static constexpr const char* kPreviewsFolder = "previews";

 private:
  std::string root_;
  int nodeRank_ = 0;
};

}  // namespace vwb

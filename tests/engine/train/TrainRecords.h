#pragma once
// What the trainer's tests record and read back: a TrainingSink that records every step, epoch
// and log line (and can cancel the run after a given step, as Ctrl-C or the GUI's Stop does), and
// a JSON-lines file (metrics.jsonl) read line by line.
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/Reporting.h"
#include "engine/train/TrainingEvents.h"

namespace vwbtest {

class RecordingSink : public vwb::TrainingSink {
 public:
  RecordingSink(vwb::CancelToken* cancel = nullptr, int64_t cancelAtStep = -1)
      : cancel_(cancel), cancelAt_(cancelAtStep) {}
  void log(vwb::LogLevel, const std::string& m) override {
    std::lock_guard<std::mutex> lock(mutex_);
    logs += m + "\n";
  }
  void onStep(const vwb::StepEvent& e) override {
    steps.push_back(e);
    if (cancel_ && e.step == cancelAt_) cancel_->cancel();
  }
  void onEpoch(const vwb::EpochEvent& e) override { epochs.push_back(e); }
  std::vector<vwb::StepEvent> steps;
  std::vector<vwb::EpochEvent> epochs;
  std::string logs;

 private:
  std::mutex mutex_;
  vwb::CancelToken* cancel_;
  int64_t cancelAt_;
};

inline std::vector<nlohmann::json> readJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace vwbtest

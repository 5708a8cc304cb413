#include "engine/run/RunFolder.h"

#include <filesystem>

namespace vwb {

namespace fs = std::filesystem;

namespace {
std::string join(const std::string& a, const std::string& b) { return (fs::path(a) / b).string(); }
}  // namespace

std::string RunFolder::nodeFolder() const {
  return nodeRank_ == 0 ? root_ : join(join(root_, "nodes"), "node-" + std::to_string(nodeRank_));
}
std::string RunFolder::config() const { return join(nodeFolder(), kConfigFile); }
std::string RunFolder::split() const { return join(root_, kSplitFile); }
std::string RunFolder::metrics() const { return join(root_, kMetricsFile); }
std::string RunFolder::logs() const { return nodeRank_ == 0 ? join(root_, "logs") : nodeFolder(); }
std::string RunFolder::trainingLog() const { return join(logs(), "training.log"); }
std::string RunFolder::lock() const { return join(nodeFolder(), "run.lock"); }
std::string RunFolder::checkpoints() const { return join(root_, "checkpoints"); }
std::string RunFolder::checkpoint(const std::string& name) const { return join(checkpoints(), name); }
std::string RunFolder::previews() const { return join(root_, kPreviewsFolder); }
std::string RunFolder::predictions() const { return join(root_, "predictions"); }
std::string RunFolder::probabilities() const { return join(predictions(), "prob"); }
std::string RunFolder::postProcessRecord() const { return postProcessRecordIn(predictions()); }
std::string RunFolder::postProcessRecordIn(const std::string& maskFolder) { return join(maskFolder, "postprocess.json"); }
std::string RunFolder::submission() const { return join(root_, "submission.zip"); }

std::string RunFolder::postProcessBeside(const std::string& zipPath) {
  const fs::path zip(zipPath);
  return (zip.parent_path() / (zip.stem().string() + ".postprocess.json")).string();
}

}  // namespace vwb

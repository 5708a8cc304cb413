#pragma once
// The folder `vwb predict --out` fills: <id>.tif masks, prob/<id>.tif probabilities and
// predictions.json, the manifest saying which checkpoint(s) and settings made which files (with
// each file's CRC-32). All or nothing: a run writes into a staging folder beside --out and swaps
// it in at the end (renameat2 RENAME_EXCHANGE: --out is at every moment either the old complete
// prediction or the new one), so an interrupted run leaves --out as it was. `vwb export` checks
// the manifest: a folder whose files are not the ones one run wrote is refused, saying which.
#include <cstdint>
#include <string>
#include <vector>

namespace vwb {

inline constexpr char kPredictionManifestName[] = "predictions.json";

struct PredictionManifest {
  struct Checkpoint {
    std::string path;  // absolute
    int64_t bytes = 0;
    double weight = 1;
  };
  struct Entry {
    std::string id;
    uint32_t maskCrc = 0, probCrc = 0;
  };
  int format = 1;
  std::vector<Checkpoint> checkpoints;
  std::string settings;  // a JSON object: TTA, overlap, post-processing
  std::vector<Entry> volumes;

  std::string toJson() const;
  static PredictionManifest fromJson(const std::string& text, const std::string& path);  // throws vwb::Error
};

// CRC-32 (zlib) of a whole file; throws vwb::Error naming it when it cannot be read.
uint32_t fileCrc32(const std::string& path);

// What a staged folder holds.
enum class PredictionLayout {
  // `vwb predict --out`: <id>.tif masks, prob/<id>.tif probabilities and the manifest; the new
  // folder holds exactly this run's volumes.
  Prediction,
  // The workbench's RUN/predictions/prob: <id>.tif probabilities only, no manifest; the volumes
  // of the earlier folder that this run does not predict are carried into the new one unchanged
  // (the Predictions page predicts a chosen few).
  Probabilities,
};

class StagedPredictionFolder {
 public:
  // Refuses (vwb::Error naming `out`) an `out` that exists and holds anything but an earlier
  // prediction (a manifest, or only <id>.tif and prob/<id>.tif; with Probabilities only <id>.tif):
  // the swap would take those files away. Removes staging folders of earlier runs whose process
  // is gone; makes its own.
  explicit StagedPredictionFolder(std::string out, PredictionLayout layout = PredictionLayout::Prediction);
  ~StagedPredictionFolder();  // removes the staging folder unless committed
  StagedPredictionFolder(const StagedPredictionFolder&) = delete;
  StagedPredictionFolder& operator=(const StagedPredictionFolder&) = delete;

  std::string maskPath(const std::string& id) const;  // Prediction layout only
  std::string probPath(const std::string& id) const;
  const std::string& stagingDir() const { return staging_; }
  PredictionLayout layout() const { return layout_; }

  // Prediction layout: fills in each volume's CRCs, writes the manifest, and swaps the staging
  // folder into `out`; the earlier prediction, if any, is then removed.
  void commit(PredictionManifest manifest);
  // Probabilities layout: carries the earlier folder's other volumes over (hard links, else
  // copies) and swaps the staging folder into `out` in one step.
  void commit();

 private:
  void swapIn();

  std::string out_, staging_;
  PredictionLayout layout_;
  bool committed_ = false;
};

// After `vwb postprocess` rewrote the masks of a prediction folder from its own prob/: the
// manifest records the new masks' CRCs and post-processing (`postprocessJson`). No manifest:
// nothing to do. Returns whether there was one.
bool updatePredictionMasks(const std::string& dir, const std::string& postprocessJson);

// The problems of the prediction folder `dir` against its manifest: a file it does not list, a
// listed file missing, or one whose CRC differs (written by another run). `hasManifest` says
// whether there was one (an older vwb, or a folder of masks written by hand, has none).
std::vector<std::string> checkPredictionFolder(const std::string& dir, bool& hasManifest);

}  // namespace vwb

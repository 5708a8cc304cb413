#pragma once
// The predictions page's engine-side state, without Qt: the volumes of a run (labeled
// validation volumes and test volumes), the network's probability volumes kept in memory so
// that a new threshold or post-processing only re-scores, and the per-volume results.
// Every method blocks: the page calls them on a worker (BackgroundTask), one at a time.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"
#include "engine/infer/PostProcess.h"
#include "engine/metrics/Score.h"
#include "ui/common/Engine.h"
#include "ui/inspect/RunLocator.h"

namespace vwb::inspect {

struct InspectVolume {
  std::string id;
  std::string imagePath;
  std::string labelPath;  // empty for test volumes
  Shape3 shape;           // from the dataset scan (the TIFF header); empty when unknown
  bool labeled() const { return !labelPath.empty(); }
};

struct InspectRow {
  std::string id;
  bool labeled = false;
  bool predicted = false;  // a probability volume exists
  Shape3 shape;
  VolumeScore score;       // labeled volumes only
  double foregroundFraction = 0;
  int64_t components = 0;
};

class PredictionSession {
 public:
  void setVolumes(std::vector<InspectVolume> volumes);
  const std::vector<InspectVolume>& volumes() const { return volumes_; }

  // Runs the network (one checkpoint or an ensemble, loaded by Engine::loadPredictor) on every
  // volume and keeps the probabilities; with saveDir, also writes them there (<id>.tif) so that
  // later sessions and the viewer find them, through the engine's one predict-into-a-folder
  // (Engine::predictIntoFolder: vwb predict's staging and swap). All or nothing: on Cancelled
  // (or an error) the kept and saved probabilities stay as they were, and no file of the
  // interrupted prediction remains. Progress counts tiles over all volumes.
  // With `only`, just those volumes (the others keep what they had).
  void predict(ui::Engine& engine, ui::VolumePredictor& predictor, const std::string& saveDir, ProgressSink* progress,
               const CancelToken* cancel, const std::vector<std::string>* only = nullptr);
  // Takes probabilities saved by an earlier predict (missing files are skipped); returns how many.
  int loadProbabilities(const std::string& dir, ProgressSink* progress, const CancelToken* cancel);
  // Installs a probability volume directly (tests, or a prediction computed elsewhere).
  void setProbability(const std::string& id, std::shared_ptr<const VolumeU8> probability);

  // Post-processes every kept probability, scores the labeled volumes with the engine's scorer
  // and, with testMaskDir, writes the test volumes' masks there (exactly the submission's
  // files: the export refuses extra ids). Does not touch the network.
  std::vector<InspectRow> evaluate(const PostProcessOptions& post, const std::string& testMaskDir,
                                   ProgressSink* progress, const CancelToken* cancel);

  std::shared_ptr<const VolumeU8> probability(const std::string& id) const;
  // The label volume of a labeled id (read once, then cached).
  std::shared_ptr<const VolumeU8> label(const std::string& id);
  // The labeled volumes among ids that have probabilities, with their labels, for tuning.
  std::vector<ui::TuneVolume> tuneVolumes(const std::vector<std::string>& ids);

 private:
  const InspectVolume* find(const std::string& id) const;

  std::vector<InspectVolume> volumes_;
  std::map<std::string, std::shared_ptr<const VolumeU8>> probabilities_;
  std::map<std::string, std::shared_ptr<const VolumeU8>> labels_;
};

}  // namespace vwb::inspect

#pragma once
// The GUI's one door into the engine. Every engine call the widgets make goes through this
// interface so that tests can hand the pages a fake (fake inventories, a scripted event stream)
// and the real implementation (RealEngine) can be swapped in without touching a widget.
// Methods may block: call them from a worker (BackgroundTask, TrainingThread), except the cheap,
// pure ones (makePlan, configJson, assumeGpus).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"
#include "engine/data/Dataset.h"
#include "engine/data/Fingerprint.h"
#include "engine/data/SyntheticScrolls.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/Predictor.h"
#include "engine/plan/HardwareInventory.h"
#include "engine/plan/Planner.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainingEvents.h"
#include "engine/train/ValidationPreview.h"
#include "engine/train/ValidationRecord.h"

namespace vwb::ui {

// Share of each label value in one label volume (0 background, 1 surface, 2 unlabeled).
struct LabelFractions {
  double background = 0, surface = 0, unlabeled = 0;
};

// A volume's place in the preprocessed chunk cache (engine/store), as the data page shows it.
enum class CacheState {
  Cached,   // fresh: training reads it as it is
  Missing,  // never preprocessed (or interrupted before it was done)
  Stale,    // preprocessed from files that changed since, or by another cache format
  Corrupt,  // the cache's files are damaged, or the volume itself does not decode
};
struct VolumeCacheStatus {
  CacheState state = CacheState::Missing;
  std::string detail;                       // why stale or corrupt, naming the file
  std::optional<LabelFractions> fractions;  // from the cached label histogram, when cached
};
struct DatasetCacheStatus {
  std::string dir;   // where the cache is, or will be written
  std::string note;  // non-empty when the dataset folder is read-only and the cache lives elsewhere
  int64_t bytesOnDisk = 0;
  int64_t diskFreeBytes = -1;  // free space where the cache lives (-1: unknown)
  std::vector<VolumeCacheStatus> train, test;  // one per Dataset::train / Dataset::test entry, same order
};
struct PreprocessSummary {
  int64_t volumes = 0, reused = 0, processed = 0, failed = 0;
  double seconds = 0;
  std::vector<std::string> problems;  // one per volume that does not decode
};

// A model loaded for prediction: one checkpoint, or a weighted ensemble of several (each with
// its own patch and architecture, probabilities averaged), as `vwb predict --checkpoint A B C
// --weights ...` runs them.
class VolumePredictor {
 public:
  virtual ~VolumePredictor() = default;
  // Foreground probability per voxel as uint8 round(p*255). Progress counts the tiles of every
  // model of the ensemble in turn (it only rises); a cancel throws vwb::Cancelled.
  virtual VolumeU8 predict(const VolumeU8& image, ProgressSink* progress, const CancelToken* cancel) = 0;
};

// A volume to predict into a folder: its id (the file <id>.tif there) and its image.
struct PredictionInput {
  std::string id, imagePath;
};

// A labelled volume's saved probabilities for tuning the post-processing (vwb tune).
struct TuneVolume {
  std::string id;
  std::shared_ptr<const VolumeU8> probability;  // p*255
  std::shared_ptr<const VolumeU8> label;        // 0/1/2
};
struct PostProcessTuning {
  PostProcessOptions current, tuned;
  double currentScore = 0;   // mean official score of `current` over the volumes
  double tunedScore = 0;     // ... of `tuned`: vwb tune's search result
  double baselineScore = 0;  // threshold 0.5 and nothing else (what vwb tune compares with)
  int evaluations = 0, volumes = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Data (blocking).
  virtual Dataset scanDataset(const std::string& root, ProgressSink* progress,
                              const CancelToken* cancel) = 0;
  virtual DatasetFingerprint fingerprint(const Dataset& dataset, ProgressSink* progress,
                                         const CancelToken* cancel) = 0;
  virtual LabelFractions labelFractions(const std::string& labelPath) = 0;
  // The trainer's train/validation split of the labelled volumes (given by scroll id, in the
  // dataset's order): indices of the validation volumes and the reason, as the trainer logs it.
  virtual std::vector<int> validationVolumes(const std::vector<std::string>& scrollIds, double fraction,
                                             uint64_t seed, std::string* reason) = 0;
  // The chunk cache's state for every volume (reads the small index entries, never a chunk).
  virtual DatasetCacheStatus cacheStatus(const Dataset& dataset, const CancelToken* cancel) = 0;
  // vwb preprocess: decodes what the cache lacks (incremental, every core). A cancel stops between
  // volumes: the finished ones stay cached, none is half-written (each is written atomically).
  virtual PreprocessSummary preprocess(const Dataset& dataset, ProgressSink* progress, const CancelToken* cancel) = 0;
  virtual void writeSyntheticDataset(const std::string& dir, const SynthOptions& options,
                                     ProgressSink* progress) = 0;

  // Hardware and planning (cheap, pure apart from detection).
  virtual HardwareInventory detectHardware() = 0;
  virtual HardwareInventory assumeGpus(const std::string& spec) = 0;
  virtual Plan makePlan(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint,
                        const UserConstraints& constraints) = 0;
  virtual std::string configJson(const TrainConfig& config) = 0;
  // The one planning call `vwb plan` and `vwb train --strategy auto` make (engine/plan/AutoConfig.h,
  // planTraining) through this engine's makePlan: the chunk cache's state from `cache` (null: none
  // known), the plan, and a forced strategy, patch, batch or AMP explained against the plan the
  // planner would make on its own (engine/plan/PlanExplainer.h). Not virtual: every engine, the
  // fakes too, plans through the engine's steps; only makePlan may differ.
  Plan planTraining(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint,
                    const DatasetCacheStatus* cache, const UserConstraints& constraints);
  // What the engine was built with (LibTorch, CUDA, NCCL, oneDNN ISA), one fact per line, for the
  // About box (cheap). Fakes may keep the default.
  virtual std::string buildInfo() { return "engine build information not available"; }

  // Training (runTraining blocks until the run ends).
  virtual TrainConfig loadRunConfig(const std::string& runDir) = 0;
  // "pid P on host H" while a live process trains in runDir (it holds the run's lock), else "".
  virtual std::string runOwner(const std::string& runDir) = 0;
  virtual RunEndEvent runTraining(const TrainConfig& config, TrainingSink& sink,
                                  const CancelToken& cancel) = 0;

  // Prediction and post-processing (blocking). loadPredictor reads and verifies the checkpoints
  // (weights: empty = equal, else one positive weight per checkpoint, normalized); throws
  // vwb::Error naming a bad file or weight.
  virtual std::unique_ptr<VolumePredictor> loadPredictor(const std::vector<std::string>& checkpoints,
                                                         const std::vector<double>& weights,
                                                         const PredictOptions& options) = 0;
  // The engine's one predict-into-a-folder (engine/infer/FolderPrediction.h, vwb predict's staging
  // and swap) with this predictor: `volumes` into `dir` as <id>.tif probabilities (p*255), the
  // earlier files of other volumes kept. All or nothing: the new files appear together once every
  // volume is done; a failure or cancel at any volume leaves `dir` exactly as it was, with no
  // staging folder behind. onProbability gets each volume's probability as it is computed (it is
  // the folder's only if this returns). Progress: "predicting <id>", tiles over all volumes, 1000
  // steps per volume. Not virtual: the fakes stage through the engine too; only the predictor differs.
  void predictIntoFolder(VolumePredictor& predictor, const std::vector<PredictionInput>& volumes, const std::string& dir,
                         const std::function<void(const std::string&, VolumeU8)>& onProbability, ProgressSink* progress,
                         const CancelToken* cancel);

  // The network evaluations (windows x TTA variants, summed over the checkpoints) predicting a
  // volume of this shape takes, from the checkpoints' patches (their meta records only: cheap),
  // for the Predictions page's time estimate. 0: unknown (fakes keep the default). Throws
  // vwb::Error naming a file that is not a checkpoint.
  virtual int64_t predictionTiles(const std::vector<std::string>& checkpoints, const PredictOptions& options,
                                  const Shape3& shape) {
    return 0;
  }
  // vwb tune's search (threshold and post-processing for the best mean official score) on the
  // volumes' probabilities, no network; also scores `current` on them. Progress per setting
  // scored; a cancel throws vwb::Cancelled (nothing of the search is returned).
  virtual PostProcessTuning tunePostProcessing(const std::vector<TuneVolume>& volumes,
                                               const PostProcessOptions& current, ProgressSink* progress,
                                               const CancelToken* cancel) = 0;

  // One validation preview (RUN/previews/epoch-NNNN.tif: CT, probability x 255 and label pages of
  // one slice; engine/train/ValidationPreview.h). Cheap enough for the GUI thread: three small
  // deflated pages (~185 KB at 320 x 320, read only when the preview shown changes). Throws vwb::Error naming the file (e.g. pruned).
  virtual ValidationPreview readValidationPreview(const std::string& path) = 0;

  // The full sliding-window validation of a run's checkpoint (best | last | ema) on its held-out
  // volumes, as `vwb validate` and a run's end do it (engine/trainer/Trainer.h: validateRun):
  // writes RUN/validation/NAME.json and returns it. Long: call it on a worker thread. Throws
  // vwb::Error naming the file (no such checkpoint, no held-out volumes, the run is training) and
  // vwb::Cancelled when cancelled (nothing written then).
  virtual FullValidationRecord validateRun(const std::string& runDir, const std::string& checkpoint,
                                           ProgressSink* progress, const CancelToken& cancel) = 0;
};

using EnginePtr = std::shared_ptr<Engine>;

// The engine as built into this binary. Modules missing from the build (an engine branch not
// merged yet) throw vwb::Error saying which module is absent.
EnginePtr makeRealEngine();

}  // namespace vwb::ui

// The real engine behind the Engine interface. Each engine module is optional at build time
// (VWB_HAVE_<MODULE> comes from ui/common/CMakeLists.txt): a missing one throws a clear error.
#include <algorithm>
#include <array>

#include "engine/core/Error.h"
#include "engine/data/DatasetPreprocessing.h"
#include "ui/common/Engine.h"
#if VWB_HAVE_IO
#include "engine/io/TiffVolume.h"
#endif
#if VWB_HAVE_DATA
#include "engine/store/DatasetCache.h"
#endif
#if VWB_HAVE_TRAIN
#include "engine/train/RunLock.h"
#include "engine/train/BuildInfo.h"
#include "engine/train/ValidationSplit.h"
#endif
#if VWB_HAVE_TRAINER
#include "engine/trainer/Trainer.h"
#endif
#if VWB_HAVE_INFER && VWB_HAVE_METRICS
#include "engine/infer/EnsemblePredictor.h"
#include "engine/infer/SlidingWindowPredictor.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/infer/PostProcessTuner.h"
#include "engine/metrics/Score.h"
#endif

namespace vwb::ui {
namespace {

[[noreturn, maybe_unused]] void missing(const char* module, const char* what) {
  throw Error(std::string(what) + " needs the engine module '" + module +
              "', which this build does not include");
}

#if VWB_HAVE_INFER && VWB_HAVE_METRICS
// vwb predict's predictor: EnsemblePredictor, which is the plain Predictor for one checkpoint.
class EnsembleVolumePredictor : public VolumePredictor {
 public:
  EnsembleVolumePredictor(const std::vector<std::string>& checkpoints, const std::vector<double>& weights,
                          const PredictOptions& options)
      : ensemble_(checkpoints, weights, options) {}
  VolumeU8 predict(const VolumeU8& image, ProgressSink* progress, const CancelToken* cancel) override {
    return ensemble_.predict(image, progress, cancel);
  }

 private:
  EnsemblePredictor ensemble_;
};
#endif

class RealEngine : public Engine {
 public:
  Dataset scanDataset(const std::string& root, ProgressSink* progress,
                      const CancelToken* cancel) override {
#if VWB_HAVE_DATA
    return vwb::scanDataset(root, true, progress, cancel);
#else
    missing("data", "scanning a dataset");
#endif
  }

  DatasetFingerprint fingerprint(const Dataset& dataset, ProgressSink* progress,
                                 const CancelToken* cancel) override {
#if VWB_HAVE_DATA
    return vwb::loadOrComputeFingerprint(dataset, progress, cancel);
#else
    missing("data", "the dataset fingerprint");
#endif
  }

  LabelFractions labelFractions(const std::string& labelPath) override {
#if VWB_HAVE_IO
    VolumeU8 label = readVolumeU8(labelPath);
    std::array<int64_t, 3> counts{0, 0, 0};
    for (uint8_t v : label.data)
      if (v < 3) ++counts[v];
    double n = std::max<double>(1.0, static_cast<double>(label.size()));
    return {counts[0] / n, counts[1] / n, counts[2] / n};
#else
    missing("io", "reading a label volume");
#endif
  }

  std::vector<int> validationVolumes(const std::vector<std::string>& scrollIds, double fraction,
                                     uint64_t seed, std::string* reason) override {
#if VWB_HAVE_TRAIN
    ValidationSplit split = splitValidation(scrollIds, fraction, seed);
    if (reason) *reason = split.reason;
    return split.validation;
#else
    missing("train", "the validation split");
#endif
  }

  DatasetCacheStatus cacheStatus(const Dataset& dataset, const CancelToken* cancel) override {
#if VWB_HAVE_DATA
    const store::CacheLocation where = store::findCache(dataset.root);
    const store::DatasetCache cache(where.dir);
    DatasetCacheStatus out;
    out.dir = where.dir;
    out.note = where.note;
    out.bytesOnDisk = cache.bytesOnDisk();
    out.diskFreeBytes = freeBytesAt(where.dir);
    // The specs vwb preprocess uses (cacheSpecs with test volumes): the same role per volume.
    auto one = [&](const VolumeEntry& v, const char* role) {
      if (cancel) cancel->throwIfCancelled();
      VolumeCacheStatus vs;
      if (v.shape.empty()) {
        vs.state = CacheState::Corrupt;
        vs.detail = v.imagePath + ": the TIFF header does not read (not preprocessed)";
        return vs;
      }
      const store::CacheVolumeStatus st = cache.status({v.id, role, v.imagePath, v.labelPath});
      switch (st.state) {
        case store::CacheVolumeState::Fresh:
          vs.state = st.entry->decoded ? CacheState::Cached : CacheState::Corrupt;
          vs.detail = st.entry->problem;
          if (st.entry->decoded && !v.labelPath.empty()) {
            const auto& h = st.entry->labelHistogram;
            double n = 0;
            for (int64_t c : h) n += double(c);
            n = std::max(1.0, n);
            vs.fractions = LabelFractions{double(h[0]) / n, double(h[1]) / n, double(h[2]) / n};
          }
          break;
        case store::CacheVolumeState::Missing: vs.state = CacheState::Missing; break;
        case store::CacheVolumeState::Stale: vs.state = CacheState::Stale; break;
        case store::CacheVolumeState::Damaged: vs.state = CacheState::Corrupt; break;
      }
      if (vs.detail.empty()) vs.detail = st.reason;
      return vs;
    };
    for (const VolumeEntry& v : dataset.train) out.train.push_back(one(v, "train"));
    for (const VolumeEntry& v : dataset.test) out.test.push_back(one(v, "test"));
    return out;
#else
    missing("data", "the chunk cache's state");
#endif
  }

  PreprocessSummary preprocess(const Dataset& dataset, ProgressSink* progress, const CancelToken* cancel) override {
#if VWB_HAVE_DATA
    Dataset copy = dataset;  // preprocessDataset adds the cached verdicts to the report
    const store::PreprocessReport r = vwb::preprocessDataset(copy, "", true, 0, nullptr, progress, cancel);
    return {r.volumes, r.reused, r.processed, r.failed, r.seconds, r.problems};
#else
    missing("data", "preprocessing");
#endif
  }

  void writeSyntheticDataset(const std::string& dir, const SynthOptions& options,
                             ProgressSink* progress) override {
#if VWB_HAVE_DATA
    vwb::writeSyntheticDataset(dir, options, progress);
#else
    missing("data", "generating the synthetic dataset");
#endif
  }

#if VWB_HAVE_TRAIN
  std::string buildInfo() override { return vwb::buildInfo().summary(); }
#endif

  HardwareInventory detectHardware() override {
#if VWB_HAVE_PLAN
    return vwb::detectHardware();
#else
    missing("plan", "hardware detection");
#endif
  }

  HardwareInventory assumeGpus(const std::string& spec) override {
#if VWB_HAVE_PLAN
    return vwb::assumeGpus(spec);
#else
    missing("plan", "--assume-gpus");
#endif
  }

  Plan makePlan(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint,
                const UserConstraints& constraints) override {
#if VWB_HAVE_PLAN
    return vwb::makePlan(hardware, fingerprint, constraints);
#else
    missing("plan", "planning");
#endif
  }

  std::string configJson(const TrainConfig& config) override {
#if VWB_HAVE_TRAIN
    return config.toJson();
#else
    missing("train", "writing config.json");
#endif
  }

  std::string runOwner(const std::string& runDir) override {
#if VWB_HAVE_TRAIN
    const auto owner = vwb::runLockOwner(runDir);
    return owner ? owner->text() : std::string();
#else
    return {};
#endif
  }

  TrainConfig loadRunConfig(const std::string& runDir) override {
#if VWB_HAVE_TRAINER
    return vwb::loadRunConfig(runDir);
#else
    missing("train", "reading a run's config.json");
#endif
  }

  RunEndEvent runTraining(const TrainConfig& config, TrainingSink& sink,
                          const CancelToken& cancel) override {
#if VWB_HAVE_TRAINER
    return vwb::runTraining(config, sink, cancel);
#else
    missing("train", "training");
#endif
  }

  std::unique_ptr<VolumePredictor> loadPredictor(const std::vector<std::string>& checkpoints,
                                                 const std::vector<double>& weights,
                                                 const PredictOptions& options) override {
#if VWB_HAVE_INFER && VWB_HAVE_METRICS
    return std::make_unique<EnsembleVolumePredictor>(checkpoints, weights, options);
#else
    missing("infer", "prediction");
#endif
  }

  int64_t predictionTiles(const std::vector<std::string>& checkpoints, const PredictOptions& options,
                          const Shape3& shape) override {
#if VWB_HAVE_INFER && VWB_HAVE_METRICS
    int64_t tiles = 0;
    for (const std::string& c : checkpoints) {
      const int64_t p = readCheckpointInfo(c).patch;
      SlidingWindowOptions o;
      o.overlap = options.overlap;
      o.tta = options.tta;
      o.batch = options.batch;
      tiles += SlidingWindowPredictor({p, p, p}, o).evaluations(shape);
    }
    return tiles;
#else
    return 0;
#endif
  }

  PostProcessTuning tunePostProcessing(const std::vector<TuneVolume>& volumes, const PostProcessOptions& current,
                                       ProgressSink* progress, const CancelToken* cancel) override {
#if VWB_HAVE_INFER && VWB_HAVE_METRICS
    std::vector<TuneCase> cases;
    for (const TuneVolume& v : volumes) {
      if (!v.probability || !v.label) throw Error("tune: volume " + v.id + " has no probabilities or no label");
      if (!(v.probability->shape == v.label->shape))
        throw Error("tune: the probabilities of " + v.id + " are " + v.probability->shape.str() +
                    ", its label " + v.label->shape.str());
      cases.push_back({v.id, *v.probability, *v.label});
    }
    PostProcessTuning out;
    out.volumes = static_cast<int>(cases.size());
    out.current = current;
    const TuneResult r = vwb::tunePostProcessing(cases, TuneGrid{}, progress, cancel);
    if (cancel) cancel->throwIfCancelled();  // the search returns its best so far: not wanted here
    out.tuned = r.best;
    out.tunedScore = r.bestScore;
    out.baselineScore = r.baselineScore;
    out.evaluations = r.evaluations;
    std::vector<VolumeScore> scores;
    for (const TuneCase& c : cases) {
      if (cancel) cancel->throwIfCancelled();
      scores.push_back(scoreVolume(postprocess(c.probability255, current), c.label));
    }
    out.currentScore = meanScore(scores).score;
    return out;
#else
    missing("infer", "tuning the post-processing");
#endif
  }

  FullValidationRecord validateRun(const std::string& runDir, const std::string& checkpoint, ProgressSink* progress,
                                   const CancelToken& cancel) override {
#if VWB_HAVE_TRAINER
    NullLogSink log;  // the GUI shows the progress and the record; the lines are vwb validate's
    return vwb::validateRun(runDir, checkpoint, log, progress, cancel);
#else
    missing("train", "validating a run");
#endif
  }

  ValidationPreview readValidationPreview(const std::string& path) override {
#if VWB_HAVE_TRAIN
    return vwb::readValidationPreview(path);
#else
    missing("train", "reading a validation preview");
#endif
  }
};

}  // namespace

EnginePtr makeRealEngine() { return std::make_shared<RealEngine>(); }

}  // namespace vwb::ui

// The real engine behind the Engine interface. Each engine module is optional at build time
// (VWB_HAVE_<MODULE> comes from ui/common/CMakeLists.txt): a missing one throws a clear error.
#include <algorithm>
#include <array>

#include "engine/core/Error.h"
#include "ui/common/Engine.h"
#if VWB_HAVE_IO
#include "engine/io/TiffVolume.h"
#endif
#if VWB_HAVE_TRAIN
#include "engine/train/RunLock.h"
#include "engine/train/BuildInfo.h"
#include "engine/train/Trainer.h"
#include "engine/train/ValidationSplit.h"
#endif

namespace vwb::ui {
namespace {

[[noreturn, maybe_unused]] void missing(const char* module, const char* what) {
  throw Error(std::string(what) + " needs the engine module '" + module +
              "', which this build does not include");
}

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
#if VWB_HAVE_TRAIN
    return vwb::loadRunConfig(runDir);
#else
    missing("train", "reading a run's config.json");
#endif
  }

  RunEndEvent runTraining(const TrainConfig& config, TrainingSink& sink,
                          const CancelToken& cancel) override {
#if VWB_HAVE_TRAIN
    return vwb::runTraining(config, sink, cancel);
#else
    missing("train", "training");
#endif
  }
};

}  // namespace

EnginePtr makeRealEngine() { return std::make_shared<RealEngine>(); }

}  // namespace vwb::ui

#pragma once
// A scripted engine for GUI tests: an in-memory dataset, a chosen GPU inventory, a plan
// function (the real planner when this build has it, else a small stand-in), and a training
// run that emits a scripted event stream from its own thread and honours cancellation.
#include <QThread>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/core/Error.h"
#include "ui/common/Engine.h"
#if VWB_HAVE_PLAN
#include "engine/plan/Planner.h"
#endif

namespace vwbtest {
using namespace vwb;

inline HardwareInventory fakeInventory(int gpus, int64_t gib = 16) {
  HardwareInventory hw;
  for (int i = 0; i < gpus; ++i) {
    GpuInfo g;
    g.index = i;
    g.name = "Tesla T4";
    g.totalBytes = g.freeBytes = gib << 30;
    g.computeMajor = 7;
    g.computeMinor = 5;
    g.peerAccessToAll = gpus > 1;
    hw.gpus.push_back(g);
  }
  hw.cpuCores = 8;
  hw.ramBytes = int64_t(32) << 30;
  return hw;
}

inline Dataset fakeDataset(const std::string& root, int train = 3, int test = 1) {
  Dataset d;
  d.root = root;
  for (int i = 0; i < train + test; ++i) {
    VolumeEntry v;
    v.id = std::to_string(1000 + i);
    v.scrollId = i % 2 ? "34117" : "26002";
    v.imagePath = root + "/img/" + v.id + ".tif";
    v.shape = {96, 96, 96};
    if (i < train) {
      v.labelPath = root + "/lbl/" + v.id + ".tif";
      d.train.push_back(v);
    } else {
      d.test.push_back(v);
    }
  }
  d.report.warnings.push_back("train.csv: volume 1002 has no scroll_id");
  return d;
}

inline DatasetFingerprint fakeFingerprint() {
  DatasetFingerprint f;
  f.trainVolumes = 3;
  f.testVolumes = 1;
  f.scrolls = 2;
  f.shapes = {{96, 96, 96}};
  f.minShape = f.maxShape = {96, 96, 96};
  f.intensityP005 = 12;
  f.intensityP50 = 90;
  f.intensityP995 = 230;
  f.fractionBackground = 0.8;
  f.fractionSurface = 0.15;
  f.fractionUnlabeled = 0.05;
  f.totalTrainVoxels = 3 * 96 * 96 * 96;
  return f;
}

// A stand-in planner for builds without the plan module: the seed's tree in miniature.
// Memory grows with batch so tests can push a bar into the red.
inline Plan standInPlan(const HardwareInventory& hw, const DatasetFingerprint&, const UserConstraints& c) {
  Plan p;
  const int gpus = static_cast<int>(hw.gpus.size());
  p.path.push_back({"How many GPUs?", std::to_string(gpus), gpus ? "CUDA devices found" : "no CUDA device: train on CPU"});
  StrategyKind chosen = gpus >= 2 ? StrategyKind::Ddp : StrategyKind::Single;
  if (gpus >= 2) p.path.push_back({"Standalone process?", "yes", "threads per GPU need no notebook"});
  if (c.strategy) chosen = *c.strategy;
  p.config.distributed.strategy = chosen;
  p.config.data.patch = c.patch.value_or(64);
  p.config.data.batchPerDevice = c.batchPerDevice.value_or(2);
  p.config.run.epochs = c.epochs.value_or(10);
  p.config.distributed.devices.clear();
  for (int i = 0; i < std::max(1, gpus); ++i) p.config.distributed.devices.push_back(gpus ? "cuda:" + std::to_string(i) : "cpu");
  auto option = [&](StrategyKind k, const char* s, const char* cost, double speed) {
    StrategyOption o{k, k == (gpus >= 2 ? StrategyKind::Ddp : StrategyKind::Single), s, cost, speed};
    if (k == chosen) p.options.insert(p.options.begin(), o);
    else p.options.push_back(o);
  };
  option(StrategyKind::Single, "one device", "", 1.0);
  if (gpus >= 2) {
    option(StrategyKind::Ddp, "DDP in threads", "", 0.9 * gpus);
    option(StrategyKind::DataParallel, "DataParallel", "device 0 holds ~1.4x memory", 0.7 * gpus);
  }
  const int64_t per = int64_t(p.config.data.batchPerDevice) * (int64_t(1) << 30);
  for (const std::string& d : p.config.distributed.devices)
    p.budgets.push_back({d, gpus ? hw.gpus[0].totalBytes : hw.ramBytes, per});
  p.reasons.push_back("batch " + std::to_string(p.config.data.batchPerDevice) + " per device fits the memory budget");
  return p;
}

// Events the fake trainer emits: steps with a given loss curve, an epoch every stepsPerEpoch.
struct FakeRunScript {
  int epochs = 2, stepsPerEpoch = 5;
  int stepDelayMs = 2;
  int devices = 2;
  bool warnAtStep3 = true;
  bool previews = true;  // each epoch names a preview (RUN/previews/epoch-N.tif, kept in memory)
};

// The fake preview of an epoch: an 8 x 12 slice whose CT ramps, whose label is a band of rows
// 3..4 (with an ignored corner) and whose probability grows with the epoch inside the band.
inline ValidationPreview fakePreview(int64_t epoch) {
  ValidationPreview p;
  p.volumeId = "1001";
  p.z = 40;
  p.height = 8;
  p.width = 12;
  for (int64_t y = 0; y < p.height; ++y)
    for (int64_t x = 0; x < p.width; ++x) {
      const bool band = y == 3 || y == 4;
      p.image.push_back(uint8_t(20 * x));
      p.label.push_back(uint8_t(band ? 1 : (y == 0 && x == 0 ? 2 : 0)));
      p.probability.push_back(uint8_t(std::min<int64_t>(255, band ? 40 * epoch : 10)));
    }
  return p;
}

class FakeEngine : public ui::Engine {
 public:
  HardwareInventory inventory = fakeInventory(0);
  std::function<Plan(const HardwareInventory&, const DatasetFingerprint&, const UserConstraints&)> planner =
#if VWB_HAVE_PLAN
      [](const HardwareInventory& h, const DatasetFingerprint& f, const UserConstraints& c) { return vwb::makePlan(h, f, c); };
#else
      standInPlan;
#endif
  FakeRunScript script;
  int scanDelayMs = 0;
  std::atomic<int> plans{0}, assumed{0};
  std::string lastAssumeSpec;

  std::atomic<int> running{0};  // engine calls now in progress on any thread
  struct Busy {
    std::atomic<int>& n;
    explicit Busy(std::atomic<int>& c) : n(c) { ++n; }
    ~Busy() { --n; }
  };

  Dataset scanDataset(const std::string& root, ProgressSink* progress, const CancelToken* cancel) override {
    Busy busy(running);
    const auto sliceEnd = [](int ms) { return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms); };
    for (int i = 0; i < 10; ++i) {
      // Sleeps in short slices so that a cancel is seen at once, as the real scanner's is.
      for (auto until = sliceEnd(scanDelayMs / 10); std::chrono::steady_clock::now() < until;) {
        if (cancel) cancel->throwIfCancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5, std::max(1, scanDelayMs / 10))));
      }
      if (cancel) cancel->throwIfCancelled();
      if (progress) progress->progress("scanning", i + 1, 10);
    }
    return fakeDataset(root);
  }
  DatasetFingerprint fingerprint(const Dataset&, ProgressSink*, const CancelToken*) override { return fakeFingerprint(); }
  ui::LabelFractions labelFractions(const std::string& path) override {
    const double s = (path[path.size() - 5] - '0') / 100.0;  // "...100N.tif" -> N %
    return {0.9 - s, 0.1, s};
  }
  // Every third labelled volume validates.
  std::vector<int> validationVolumes(const std::vector<std::string>& scrolls, double, uint64_t, std::string* reason) override {
    std::vector<int> v;
    for (int i = 1; i < int(scrolls.size()); i += 3) v.push_back(i);
    if (reason) *reason = "fake split: every third volume";
    return v;
  }
  void writeSyntheticDataset(const std::string&, const SynthOptions&, ProgressSink*) override {}

  // The fake chunk cache: a state per volume id (absent: missing). preprocess() makes every
  // volume but the undecodable ones cached, one by one, preprocessDelayMs each; with
  // holdPreprocess it waits after the first volume until released or cancelled.
  std::mutex cacheMutex;
  std::map<std::string, ui::CacheState> cache;
  std::set<std::string> undecodable;
  int preprocessDelayMs = 0;
  std::atomic<bool> holdPreprocess{false};
  std::atomic<int> preprocessRuns{0};
  static constexpr int64_t kBytesPerVolume = int64_t(3) << 20;
  std::string cacheDir = "/fake/data/.vwb/cache";
  ui::CacheState cacheState(const std::string& id) {
    std::lock_guard<std::mutex> lock(cacheMutex);
    auto it = cache.find(id);
    return it == cache.end() ? ui::CacheState::Missing : it->second;
  }
  ui::DatasetCacheStatus cacheStatus(const Dataset& d, const CancelToken*) override {
    ui::DatasetCacheStatus out;
    out.dir = cacheDir;
    auto one = [&](const VolumeEntry& v) {
      ui::VolumeCacheStatus s;
      s.state = cacheState(v.id);
      if (s.state == ui::CacheState::Stale) s.detail = v.imagePath + " changed since it was preprocessed";
      if (s.state == ui::CacheState::Corrupt) s.detail = v.imagePath + ": strip 3 does not decode";
      if (s.state == ui::CacheState::Cached && !v.labelPath.empty()) s.fractions = labelFractions(v.labelPath);
      if (s.state != ui::CacheState::Missing) out.bytesOnDisk += kBytesPerVolume;
      return s;
    };
    for (const VolumeEntry& v : d.train) out.train.push_back(one(v));
    for (const VolumeEntry& v : d.test) out.test.push_back(one(v));
    return out;
  }
  ui::PreprocessSummary preprocess(const Dataset& d, ProgressSink* progress, const CancelToken* cancel) override {
    Busy busy(running);
    ++preprocessRuns;
    std::vector<std::string> todo;
    for (const auto* list : {&d.train, &d.test})
      for (const VolumeEntry& v : *list)
        if (cacheState(v.id) != ui::CacheState::Cached && !(cacheState(v.id) == ui::CacheState::Corrupt && undecodable.count(v.id)))
          todo.push_back(v.id);
    ui::PreprocessSummary summary;
    summary.volumes = int64_t(d.train.size() + d.test.size());
    summary.reused = summary.volumes - int64_t(todo.size());
    if (progress) progress->progress("preprocessing", 0, int64_t(todo.size()));
    for (size_t i = 0; i < todo.size(); ++i) {
      if (cancel) cancel->throwIfCancelled();  // between volumes, as the real one
      std::this_thread::sleep_for(std::chrono::milliseconds(preprocessDelayMs));
      {
        std::lock_guard<std::mutex> lock(cacheMutex);
        cache[todo[i]] = undecodable.count(todo[i]) ? ui::CacheState::Corrupt : ui::CacheState::Cached;
      }
      ++summary.processed;
      if (progress) progress->progress("preprocessing", int64_t(i + 1), int64_t(todo.size()));
      while (holdPreprocess && !(cancel && cancel->cancelled())) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return summary;
  }
  HardwareInventory detectHardware() override { return inventory; }
  HardwareInventory assumeGpus(const std::string& spec) override {
    ++assumed;
    lastAssumeSpec = spec;
    const auto x = spec.find('x');
    if (x == std::string::npos) throw Error("--assume-gpus: '" + spec + "' is not NxMEM");
    HardwareInventory hw = fakeInventory(std::stoi(spec.substr(0, x)), std::stoi(spec.substr(x + 1)));
    hw.assumed = true;
    return hw;
  }
  Plan makePlan(const HardwareInventory& h, const DatasetFingerprint& f, const UserConstraints& c) override {
    ++plans;
    return planner(h, f, c);
  }
  std::string configJson(const TrainConfig& c) override {
    return "{\n  \"strategy\": \"" + std::string(c.distributed.strategy == StrategyKind::Ddp ? "ddp" : "single") +
           "\",\n  \"batch_per_device\": " + std::to_string(c.data.batchPerDevice) + "\n}";
  }
  // The run's config.json when it has one (written by a test), else the defaults.
  std::string owner;  // what runOwner reports for every folder ("" = nobody trains there)
  std::string runOwner(const std::string&) override { return owner; }
  TrainConfig loadRunConfig(const std::string& runDir) override {
    TrainConfig c;
#if VWB_HAVE_TRAIN
    std::ifstream in(runDir + "/config.json");
    if (in) c = TrainConfig::fromJson(std::string(std::istreambuf_iterator<char>(in), {}));
#endif
    c.run.dir = runDir;
    return c;
  }

  // Prediction: "probability" = the image's intensity, tile progress in 10 steps. Tuning: the
  // current setting with threshold 0.3 scores 0.1 more; with holdTune it waits after its first
  // progress step until released or cancelled (then throws Cancelled, as the real one does).
  std::atomic<bool> holdTune{false};
  std::atomic<int> tuneRuns{0}, predictorsLoaded{0};
  class FakePredictor : public ui::VolumePredictor {
   public:
    VolumeU8 predict(const VolumeU8& image, ProgressSink* progress, const CancelToken* cancel) override {
      for (int i = 1; i <= 10; ++i) {
        if (cancel) cancel->throwIfCancelled();
        if (progress) progress->progress("tiles", i, 10);
      }
      return image;
    }
  };
  std::unique_ptr<ui::VolumePredictor> loadPredictor(const std::vector<std::string>& checkpoints, const std::vector<double>&,
                                                     const PredictOptions&) override {
    if (checkpoints.empty()) throw Error("no checkpoint given");
    ++predictorsLoaded;
    return std::make_unique<FakePredictor>();
  }
  ui::PostProcessTuning tunePostProcessing(const std::vector<ui::TuneVolume>& volumes, const PostProcessOptions& current,
                                           ProgressSink* progress, const CancelToken* cancel) override {
    Busy busy(running);
    ++tuneRuns;
    if (volumes.empty()) throw Error("tune: no validation volumes with labels");
    if (progress) progress->progress("tune", 1, 4);
    while (holdTune && !(cancel && cancel->cancelled())) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (cancel) cancel->throwIfCancelled();
    ui::PostProcessTuning t;
    t.current = t.tuned = current;
    t.tuned.threshold = 0.3;
    t.currentScore = 0.5;
    t.tunedScore = 0.6;
    t.baselineScore = 0.5;
    t.evaluations = 4;
    t.volumes = int(volumes.size());
    if (progress) progress->progress("tune", 4, 4);
    return t;
  }

  // Previews "on disk": by path. runTraining adds one per epoch; tests add or erase (prune) others.
  std::mutex previewMutex;
  std::map<std::string, ValidationPreview> previewFiles;
  std::atomic<int> previewReads{0};
  ValidationPreview readValidationPreview(const std::string& path) override {
    ++previewReads;
    std::lock_guard<std::mutex> lock(previewMutex);
    auto it = previewFiles.find(path);
    if (it == previewFiles.end()) throw fileError(path, "cannot open: No such file or directory");
    return it->second;
  }

  // Validation on request is the real engine's (TestGuiTraining::validatesACheckpointOnRequest).
  FullValidationRecord validateRun(const std::string& runDir, const std::string&, ProgressSink*,
                                   const CancelToken&) override {
    throw fileError(runDir, "the fake engine does not validate runs");
  }

  RunEndEvent runTraining(const TrainConfig& config, TrainingSink& sink, const CancelToken& cancel) override {
    Busy busy(running);
    const FakeRunScript s = script;
    RunStartEvent start;
    start.runDir = config.run.dir;
    start.strategy = "ddp";
    for (int d = 0; d < s.devices; ++d) start.devices.push_back("cuda:" + std::to_string(d));
    start.epochs = s.epochs;
    start.stepsPerEpoch = s.stepsPerEpoch;
    sink.onRunStart(start);
    int step = 0;
    for (int e = 1; e <= s.epochs; ++e) {
      for (int i = 1; i <= s.stepsPerEpoch; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(s.stepDelayMs));
        StepEvent st;
        st.step = ++step;
        st.epoch = e;
        st.stepInEpoch = i;
        st.stepsPerEpoch = s.stepsPerEpoch;
        st.totalSteps = s.epochs * s.stepsPerEpoch;
        st.loss = 1.0 / step;
        st.lr = 1e-3 * step;
        st.samplesPerSec = 10.0 + step;
        st.elapsedSec = 0.5 * step;
        st.etaSec = st.totalSteps - step;
        for (int d = 0; d < s.devices; ++d)
          st.memory.push_back({"cuda:" + std::to_string(d), (int64_t(d + 1) << 30), (int64_t(d + 2) << 30), 0, 0, int64_t(16) << 30});
        sink.onStep(st);
        if (s.warnAtStep3 && step == 3) sink.log(LogLevel::Warning, "out of memory at batch 4: retrying with batch 2");
        if (cancel.cancelled()) {
          sink.onCheckpoint(config.run.dir + "/checkpoints/last.pt");
          RunEndEvent end{RunOutcome::Stopped, "stopped at step " + std::to_string(step), step, e};
          sink.onRunEnd(end);
          return end;
        }
      }
      EpochEvent ep;
      ep.epoch = e;
      ep.epochs = s.epochs;
      ep.trainLoss = 1.0 / (step - 1);
      ep.valLoss = 0.5 / e;
      ep.valDice = 0.3 * e;
      ep.valDiceEma = 0.25 * e;
      if (s.previews) {
        ep.previewPath = config.run.dir + "/previews/epoch-" + std::to_string(e) + ".tif";
        ep.previewVolume = "1001";
        ep.previewZ = 40;
        std::lock_guard<std::mutex> lock(previewMutex);
        previewFiles[ep.previewPath] = fakePreview(e);
      }
      sink.onEpoch(ep);
    }
    sink.onCheckpoint(config.run.dir + "/checkpoints/last.pt");
    RunEndEvent end{RunOutcome::Finished, "", step, s.epochs};
    sink.onRunEnd(end);
    return end;
  }
};

}  // namespace vwbtest

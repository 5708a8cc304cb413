// The kit's training entry (KitCApi.h: vwbkit_train): `vwb train` inside a notebook's kernel.
// The engine's own trainer runs; only where the volumes come from differs: pointers to voxels
// Python read (MemoryTrainingSource over VolumeViews), so the library needs no TIFF reader.
// Progress goes out as lines a person can read; a time budget stops the run the way the GUI's
// Stop does (the current step ends, last.pt is written), so a Kaggle session ends with a
// checkpoint the next session resumes from exactly.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/kit/KitCApi.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/train/TrainingSource.h"
#include "engine/trainer/Trainer.h"

namespace vwb {
std::string& kitLastError();  // KitCApi.cpp: what vwbkit_last_error() returns (per thread)
}

namespace {

thread_local std::string trainText;

using Clock = std::chrono::steady_clock;

std::string minutes(double seconds) {
  char b[32];
  if (seconds >= 3600) std::snprintf(b, sizeof b, "%.2f h", seconds / 3600);
  else if (seconds >= 60) std::snprintf(b, sizeof b, "%.1f min", seconds / 60);
  else std::snprintf(b, sizeof b, "%.0f s", seconds);
  return b;
}

// Lines for the notebook's output: the trainer's own log lines (info and up), one step line
// every `every` seconds (and the first and last of the session), a line per checkpoint. Stops the
// run when the time budget is spent or at a given step.
class LineSink : public vwb::TrainingSink {
 public:
  LineSink(vwbkit_line_fn fn, vwb::CancelToken& cancel, double every, double maxSeconds, int64_t stopAfter)
      : fn_(fn), cancel_(cancel), every_(every), maxSeconds_(maxSeconds), stopAfter_(stopAfter) {}

  void say(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fn_) fn_(line.c_str());
  }
  void log(vwb::LogLevel level, const std::string& message) override {
    if (level == vwb::LogLevel::Debug) return;
    say(level == vwb::LogLevel::Warning ? "warning: " + message
        : level == vwb::LogLevel::Error ? "error: " + message
                                        : message);
  }
  void onRunStart(const vwb::RunStartEvent& e) override {
    std::string devices;
    for (const auto& d : e.devices) devices += (devices.empty() ? "" : ", ") + d;
    total_ = e.epochs * e.stepsPerEpoch;
    say("run " + e.runDir + ": strategy " + e.strategy + " on " + devices + ", global batch " +
        std::to_string(e.globalBatch) + (e.startStep > 0 ? ", resuming at step " + std::to_string(e.startStep + 1)
                                                          : ", from step 1") +
        " of " + std::to_string(total_));
  }
  void onStep(const vwb::StepEvent& e) override {
    const double now = secondsSince(start_);
    const bool last = e.step == e.totalSteps;
    if (now - lastLine_ >= every_ || first_ || last) {
      first_ = false;
      lastLine_ = now;
      char b[320];
      std::snprintf(b, sizeof b,
                    "step %lld/%lld (epoch %lld, %lld/%lld): loss %.4f, lr %.2e, %.2f samples/s, data wait %.0f %%, "
                    "comm wait %.0f %%; %s this session, %s left for the run",
                    static_cast<long long>(e.step), static_cast<long long>(e.totalSteps),
                    static_cast<long long>(e.epoch), static_cast<long long>(e.stepInEpoch),
                    static_cast<long long>(e.stepsPerEpoch), e.loss, e.lr, e.samplesPerSec,
                    100 * e.dataWaitFraction, 100 * e.commWaitFraction, minutes(now).c_str(), minutes(e.etaSec).c_str());
      say(b);
    }
    if (stopAfter_ > 0 && e.step >= stopAfter_ && !cancel_.cancelled()) {
      say("stopping after step " + std::to_string(e.step) + " as asked (last.pt keeps it)");
      cancel_.cancel();
    }
    if (maxSeconds_ > 0 && now >= maxSeconds_ && !cancel_.cancelled() && !last) {
      say("the session's training time (" + minutes(maxSeconds_) + ") is spent at step " + std::to_string(e.step) +
          ": stopping; checkpoints/last.pt keeps it, and the next session resumes from there");
      cancel_.cancel();
    }
  }
  void onCheckpoint(const std::string& path) override {
    say("saved " + std::filesystem::path(path).filename().string());
  }

 private:
  static double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  }
  std::mutex mutex_;
  vwbkit_line_fn fn_;
  vwb::CancelToken& cancel_;
  double every_, maxSeconds_;
  int64_t stopAfter_;
  int64_t total_ = 0;
  Clock::time_point start_ = Clock::now();
  double lastLine_ = 0;
  bool first_ = true;
};

const char* outcomeName(vwb::RunOutcome o) {
  switch (o) {
    case vwb::RunOutcome::Finished: return "finished";
    case vwb::RunOutcome::Stopped: return "stopped";
    case vwb::RunOutcome::Failed: return "failed";
  }
  return "?";
}

template <class F>
const char* guardedText(F&& f) {
  try {
    trainText = f();
    return trainText.c_str();
  } catch (const std::exception& e) {
    vwb::kitLastError() = e.what();
  } catch (...) {
    vwb::kitLastError() = "unknown error";
  }
  return nullptr;
}

}  // namespace

extern "C" {

const char* vwbkit_train(const char* request, const vwbkit_volume* volumes, int64_t count, vwbkit_line_fn line) {
  return guardedText([&] {
    const nlohmann::json r = nlohmann::json::parse(request);
    const std::string runDir = r.at("run_dir").get<std::string>();
    const bool resume = r.value("resume", false);
    vwb::TrainConfig c = resume ? vwb::loadRunConfig(runDir) : vwb::TrainConfig::fromJson(r.at("config").dump());
    c.run.dir = runDir;
    c.run.resume = resume;
    c.run.allowDataChange = r.value("allow_data_change", false);
    c.run.dataDir = "(volumes handed over by the Kaggle kit)";
    // Validation previews are TIFFs (engine/io), which the kit's build does not have: none, said once.
    if (c.validation.previewsKept != 0) {
      c.validation.previewsKept = 0;
      if (line) line("validation previews: none in the notebook (the kit's build writes no TIFF); the metrics and checkpoints are all there");
    }
    if (r.contains("devices")) c.distributed.devices = r.at("devices").get<std::vector<std::string>>();
    if (r.contains("strategy")) c.distributed.strategy = vwb::parseStrategy(r.at("strategy").get<std::string>());
    if (r.contains("epochs")) c.run.epochs = r.at("epochs").get<int>();
    if (count < 1 || !volumes) throw vwb::Error("no training volumes given");
    std::vector<vwb::VolumeView> views;
    for (int64_t i = 0; i < count; ++i) {
      const vwbkit_volume& v = volumes[i];
      if (!v.id || !v.image || !v.label || v.d <= 0 || v.h <= 0 || v.w <= 0)
        throw vwb::Error("training volume " + std::to_string(i) + ": no id, no voxels or an empty shape");
      views.push_back({v.id, v.scroll_id ? v.scroll_id : "", {v.d, v.h, v.w}, v.image, v.label});
    }
    vwb::MemoryTrainingSource source(std::move(views));
    vwb::CancelToken cancel;
    LineSink sink(line, cancel, r.value("line_every_s", 30.0), r.value("max_seconds", 0.0),
                  r.value("stop_after_step", int64_t(0)));
    const vwb::RunEndEvent end = vwb::runTraining(c, source, sink, cancel);
    return nlohmann::json{{"outcome", outcomeName(end.outcome)},
                          {"step", end.step},
                          {"epoch", end.epoch},
                          {"message", end.message}}
        .dump();
  });
}

const char* vwbkit_checkpoint_info(const char* path) {
  return guardedText([&] {
    const vwb::CheckpointWeightsDigest d = vwb::checkpointWeightsDigest(path);
    char hex[16];
    std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(d.crc32));
    return nlohmann::json{{"step", d.info.step}, {"epoch", d.info.epoch}, {"weights_crc32", hex}, {"tensors", d.tensors}}
        .dump();
  });
}

const char* vwbkit_features(void) {
  static const std::string text = nlohmann::json{
#ifdef USE_C10D_GLOO
      {"gloo", true},
#else
      {"gloo", false},
#endif
#ifdef VWB_WITH_NCCL
      {"nccl", true},
#else
      {"nccl", false},
#endif
#ifdef VWB_WITH_CUDA
      {"cuda_paths", true},
#else
      {"cuda_paths", false},
#endif
  }.dump();
  return text.c_str();
}

}  // extern "C"

#include "engine/kit/KitCApi.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/export/SubmissionIds.h"
#include "engine/infer/EnsemblePredictor.h"
#include "engine/infer/PostProcess.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/infer/PostProcessTuner.h"

namespace vwb {
// The reason of the last failure on this thread, for vwbkit_last_error() (KitTrain.cpp sets it too).
std::string& kitLastError() {
  thread_local std::string text;
  return text;
}
}  // namespace vwb

namespace {

thread_local std::string lastText;

// Runs f; a C++ exception becomes -1 and the message of vwbkit_last_error().
template <class F>
int guarded(F&& f) {
  try {
    f();
    return 0;
  } catch (const std::exception& e) {
    vwb::kitLastError() = e.what();
  } catch (...) {
    vwb::kitLastError() = "unknown error";
  }
  return -1;
}

class CallbackProgress : public vwb::ProgressSink {
 public:
  explicit CallbackProgress(vwbkit_progress_fn fn) : fn_(fn) {}
  void progress(const std::string&, int64_t done, int64_t total) override {
    if (fn_) fn_(done, total);
  }

 private:
  vwbkit_progress_fn fn_;
};

vwb::Shape3 shapeOf(int64_t d, int64_t h, int64_t w) {
  if (d <= 0 || h <= 0 || w <= 0)
    throw vwb::Error("volume shape " + std::to_string(d) + "x" + std::to_string(h) + "x" + std::to_string(w) +
                     " is empty");
  return {d, h, w};
}

}  // namespace

extern "C" {

const char* vwbkit_version(void) { return "vwbkit/1"; }
const char* vwbkit_last_error(void) { return vwb::kitLastError().c_str(); }

void* vwbkit_open(const char* settingsJson) {
  std::unique_ptr<vwb::EnsemblePredictor> predictor;
  const int rc = guarded([&] {
    const nlohmann::json s = nlohmann::json::parse(settingsJson);
    vwb::PredictOptions o;
    o.overlap = s.value("overlap", o.overlap);
    const std::string tta = s.value("tta", std::string("none"));
    if (tta != "none" && tta != "flips" && tta != "full") throw vwb::Error("tta '" + tta + "' is not none, flips or full");
    o.tta = tta == "full" ? vwb::Tta::Full : tta == "flips" ? vwb::Tta::Flips : vwb::Tta::None;
    o.averageLogits = s.value("tta_average", std::string("probability")) == "logit";
    o.batch = s.value("batch", o.batch);
    o.threads = s.value("threads", o.threads);
    o.devices = s.value("devices", std::vector<std::string>{"cpu"});
    o.amp = vwb::parseAmp(s.value("amp", std::string("auto")));
    // [[7, 5], [7, 5]]: torch.cuda.get_device_capability of each device (this library cannot ask
    // CUDA), so that auto is fp16 on a T4 and fp32 on a P100, as vwb predict chooses.
    for (const auto& cc : s.value("cuda_capability", std::vector<std::vector<int>>{}))
      o.cudaCapabilities.push_back(cc.size() == 2 ? std::pair{cc[0], cc[1]} : std::pair{0, 0});
    const auto checkpoints = s.at("checkpoints").get<std::vector<std::string>>();
    const auto weights = s.value("weights", std::vector<double>{});
    predictor = std::make_unique<vwb::EnsemblePredictor>(checkpoints, weights, o);
  });
  return rc == 0 ? predictor.release() : nullptr;
}

void vwbkit_close(void* handle) { delete static_cast<vwb::EnsemblePredictor*>(handle); }

int64_t vwbkit_patch(void* handle) {
  if (!handle) return -1;
  auto& p = *static_cast<vwb::EnsemblePredictor*>(handle);
  int64_t edge = 0;
  for (size_t m = 0; m < p.size(); ++m) edge = std::max(edge, p.model(m).patch().d);
  return edge;
}

int vwbkit_predict(void* handle, const uint8_t* image, int64_t d, int64_t h, int64_t w, uint8_t* prob,
                   vwbkit_progress_fn progress) {
  return guarded([&] {
    if (!handle) throw vwb::Error("no predictor (vwbkit_open failed)");
    vwb::VolumeU8 volume(shapeOf(d, h, w));
    std::memcpy(volume.data.data(), image, volume.data.size());
    CallbackProgress sink(progress);
    const vwb::VolumeU8 p = static_cast<vwb::EnsemblePredictor*>(handle)->predict(volume, &sink);
    std::memcpy(prob, p.data.data(), p.data.size());
  });
}

int vwbkit_postprocess(const char* postprocessJson, const uint8_t* prob, int64_t d, int64_t h, int64_t w,
                       uint8_t* mask) {
  return guarded([&] {
    const vwb::PostProcessOptions options = vwb::postProcessFromJson(postprocessJson);
    vwb::VolumeU8 p(shapeOf(d, h, w));
    std::memcpy(p.data.data(), prob, p.data.size());
    const vwb::VolumeU8 m = vwb::postprocess(p, options);
    std::memcpy(mask, m.data.data(), m.data.size());
  });
}

const char* vwbkit_read_ids(const char* csvPath) {
  const int rc = guarded([&] {
    std::vector<std::string> problems;
    const std::vector<std::string> ids = vwb::readIdsFromCsv(csvPath, problems);
    nlohmann::json printable = nlohmann::json::array();
    for (const auto& id : ids) {
      if (const std::string why = vwb::unsafeIdReason(id); !why.empty()) problems.push_back(why);
      printable.push_back(vwb::printableId(id));
    }
    lastText = nlohmann::json{{"ids", printable}, {"problems", problems}}.dump();
  });
  return rc == 0 ? lastText.c_str() : nullptr;
}

}  // extern "C"

#include "engine/train/MetricsJsonl.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace vwb {
namespace {

using nlohmann::json;

double num(const json& j, const char* key, double fallback = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
int64_t integer(const json& j, const char* key, int64_t fallback = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : fallback;
}
std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

EpochEvent epochFrom(const json& j) {
  EpochEvent e;
  e.epoch = integer(j, "epoch");
  e.epochs = integer(j, "epochs");
  e.trainLoss = num(j, "train_loss");
  if (auto it = j.find("val_loss"); it != j.end() && it->is_number()) e.valLoss = it->get<double>();
  if (auto it = j.find("val_dice"); it != j.end() && it->is_number()) e.valDice = it->get<double>();
  e.valDiceEma = num(j, "val_dice_ema");
  if (auto it = j.find("best"); it != j.end() && it->is_boolean()) e.best = it->get<bool>();
  e.epochSec = num(j, "epoch_s");
  // The validation preview, relative to the run folder as the trainer records it.
  e.previewPath = text(j, "preview");
  e.previewVolume = text(j, "preview_volume");
  e.previewZ = integer(j, "preview_z", -1);
  return e;
}

// A step line read in one pass, straight into a StepEvent, without building a document.
class StepSax : public nlohmann::json_sax<json> {
 public:
  explicit StepSax(StepEvent& e) : e_(e) {}
  bool isStep() const { return type_ == "step"; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return number(double(v), int64_t(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(double(v), int64_t(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v, int64_t(v)); }
  bool string(string_t& v) override {
    if (depth_ == 1 && key_ == "type") type_ = v;
    else if (depth_ == 3 && inMemory_ && key_ == "device") device_.device = v;
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (++depth_ == 3 && inMemory_) device_ = DeviceMemory{};
    return true;
  }
  bool end_object() override {
    if (depth_-- == 3 && inMemory_) e_.memory.push_back(std::move(device_));
    return true;
  }
  bool start_array(std::size_t) override {
    if (++depth_ == 2 && key_ == "memory") inMemory_ = true;
    return true;
  }
  bool end_array() override {
    if (depth_-- == 2) inMemory_ = false;
    return true;
  }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool number(double d, int64_t i) {
    if (depth_ == 1) {
      const std::string& k = key_;
      if (k == "step") e_.step = i;
      else if (k == "epoch") e_.epoch = i;
      else if (k == "loss") e_.loss = d;
      else if (k == "lr") e_.lr = d;
      else if (k == "samples_per_s") e_.samplesPerSec = d;
      else if (k == "data_wait") e_.dataWaitFraction = d;
      else if (k == "comm_wait") e_.commWaitFraction = d;
      else if (k == "step_spread") e_.stepSpread = d;
      else if (k == "step_s") e_.secondsPerStep = d;
    } else if (depth_ == 3 && inMemory_) {
      const std::string& k = key_;
      if (k == "allocated") device_.allocatedBytes = i;
      else if (k == "reserved") device_.reservedBytes = i;
      else if (k == "peak") device_.peakBytes = i;
      else if (k == "free") device_.freeBytes = i;
      else if (k == "total") device_.totalBytes = i;
      else if (k == "busy") device_.busy = d;
    }
    return true;
  }

  StepEvent& e_;
  std::string type_, key_;
  int depth_ = 0;
  bool inMemory_ = false;
  DeviceMemory device_;
};

}  // namespace

std::string metricsFormatLine() { return json{{"type", "format"}, {"format", kMetricsFormat}}.dump(); }

namespace {
json memoryJson(const std::vector<DeviceMemory>& memory) {
  auto arr = json::array();
  for (const auto& m : memory) {
    json d{{"device", m.device}, {"allocated", m.allocatedBytes}, {"reserved", m.reservedBytes},
           {"peak", m.peakBytes},  {"free", m.freeBytes},           {"total", m.totalBytes}};
    if (m.busy >= 0) d["busy"] = m.busy;
    arr.push_back(std::move(d));
  }
  return arr;
}
}  // namespace

std::string encodeStepLine(const StepEvent& e, const StepLineExtras& x) {
  return json{{"type", "step"},
              {"step", e.step},
              {"epoch", e.epoch},
              {"time", x.time},
              {"loss", e.loss},
              {"lr", e.lr},
              {"grad_norm", x.gradNorm},
              {"skipped", x.skipped},
              {"micro_batch", x.microBatch},
              {"samples_per_s", x.samplesPerSec},
              {"data_wait", e.dataWaitFraction},
              {"comm_wait", e.commWaitFraction},
              {"step_spread", e.stepSpread},
              {"step_s", e.secondsPerStep},
              {"memory", memoryJson(e.memory)}}
      .dump();
}

std::string encodeEpochLine(const EpochEvent& e, const EpochLineExtras& x) {
  json j{{"type", "epoch"},          {"epoch", e.epoch},      {"step", x.step},
         {"time", x.time},           {"train_loss", e.trainLoss}, {"epoch_s", e.epochSec},
         {"best", e.best},           {"memory", memoryJson(x.memory)}};
  if (!x.preview.empty()) {
    j["preview"] = x.preview;
    j["preview_volume"] = e.previewVolume;
    j["preview_z"] = e.previewZ;
  }
  if (e.valLoss) {
    j["val_loss"] = *e.valLoss;
    j["val_dice"] = e.valDice.value_or(0.0);
    j["val_dice_ema"] = e.valDiceEma;
    j["val_kind"] = x.valKind;
    j["val_s"] = x.valSeconds;
  }
  return j.dump();
}

MetricsLine parseMetricsLine(const std::string& line, MetricsRecord& out, std::string& problem) {
  {
    StepEvent e;
    StepSax sax(e);
    if (json::sax_parse(line, &sax) && sax.isStep()) {
      out = std::move(e);
      return MetricsLine::Record;
    }
  }
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    problem = "not a JSON object";
    return MetricsLine::Refused;
  }
  const std::string type = text(j, "type");
  if (type == "epoch") {
    out = epochFrom(j);
    return MetricsLine::Record;
  }
  if (type == "format") {
    const std::string format = text(j, "format");
    if (format == kMetricsFormat) return MetricsLine::Format;
    problem = "metrics of format '" + format + "': this build reads " + kMetricsFormat;
    return MetricsLine::OtherFormat;
  }
  problem = type.empty() ? "a record without a \"type\"" : "unknown record type '" + type + "'";
  return MetricsLine::Refused;
}

MetricsFile readMetricsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fileError(path, "cannot open");
  MetricsFile result;
  std::string line, problem;
  for (int64_t lineNo = 1; std::getline(in, line); ++lineNo) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    line.erase(line.find_last_not_of(" \t\r") + 1);
    line.erase(0, first);
    MetricsRecord record;
    switch (parseMetricsLine(line, record, problem)) {
      case MetricsLine::Record: result.records.push_back(std::move(record)); break;
      case MetricsLine::Format: break;
      case MetricsLine::Refused: result.problems.push_back(path + ":" + std::to_string(lineNo) + ": " + problem); break;
      case MetricsLine::OtherFormat: throw Error(path + ":" + std::to_string(lineNo) + ": " + problem);
    }
  }
  return result;
}

}  // namespace vwb

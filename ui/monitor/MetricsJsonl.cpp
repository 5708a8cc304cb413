#include "ui/monitor/MetricsJsonl.h"

#include <QFile>
#include <algorithm>
#include <iterator>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace vwb::ui {
namespace {

using nlohmann::json;

// First present key among spellings ("samples_per_sec", "samplesPerSec").
const json* field(const json& j, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = j.find(n);
    if (it != j.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}
double num(const json& j, std::initializer_list<const char*> names, double fallback = 0) {
  const json* v = field(j, names);
  return v && v->is_number() ? v->get<double>() : fallback;
}
int64_t integer(const json& j, std::initializer_list<const char*> names, int64_t fallback = 0) {
  const json* v = field(j, names);
  return v && v->is_number() ? v->get<int64_t>() : fallback;
}
std::string text(const json& j, std::initializer_list<const char*> names) {
  const json* v = field(j, names);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::string kindOf(const json& j) {
  std::string k = text(j, {"type", "event", "kind"});
  if (!k.empty()) return k;
  // Untagged records: recognise them by their fields.
  if (field(j, {"train_loss", "trainLoss", "val_dice", "valDice"})) return "epoch";
  if (field(j, {"step"}) && field(j, {"loss"})) return "step";
  return {};
}

StepEvent stepFrom(const json& j) {
  StepEvent e;
  e.step = integer(j, {"step"});
  e.epoch = integer(j, {"epoch"});
  e.stepInEpoch = integer(j, {"step_in_epoch", "stepInEpoch"});
  e.stepsPerEpoch = integer(j, {"steps_per_epoch", "stepsPerEpoch"});
  e.totalSteps = integer(j, {"total_steps", "totalSteps"});
  e.loss = num(j, {"loss"});
  e.lr = num(j, {"lr", "learning_rate"});
  e.samplesPerSec = num(j, {"samples_per_s", "samples_per_sec", "samplesPerSec", "throughput"});
  e.dataWaitFraction = num(j, {"data_wait", "data_wait_fraction", "dataWaitFraction"});
  e.commWaitFraction = num(j, {"comm_wait"});
  e.stepSpread = num(j, {"step_spread"});
  e.secondsPerStep = num(j, {"step_s"});
  e.elapsedSec = num(j, {"elapsed_s", "elapsed_sec", "elapsedSec", "elapsed"});
  e.etaSec = num(j, {"eta_sec", "etaSec", "eta"});
  if (const json* mem = field(j, {"memory"}); mem && mem->is_array()) {
    for (const json& m : *mem) {
      DeviceMemory d;
      d.device = text(m, {"device"});
      d.allocatedBytes = integer(m, {"allocated_bytes", "allocatedBytes", "allocated"});
      d.reservedBytes = integer(m, {"reserved_bytes", "reservedBytes", "reserved"});
      d.peakBytes = integer(m, {"peak_bytes", "peakBytes", "peak"});
      d.freeBytes = integer(m, {"free_bytes", "freeBytes", "free"});
      d.totalBytes = integer(m, {"total_bytes", "totalBytes", "total"});
      if (const json* b = field(m, {"busy"}); b && b->is_number()) d.busy = b->get<double>();
      e.memory.push_back(std::move(d));
    }
  }
  return e;
}

EpochEvent epochFrom(const json& j) {
  EpochEvent e;
  e.epoch = integer(j, {"epoch"});
  e.epochs = integer(j, {"epochs"});
  e.trainLoss = num(j, {"train_loss", "trainLoss"});
  if (const json* v = field(j, {"val_loss", "valLoss"}); v && v->is_number()) e.valLoss = v->get<double>();
  if (const json* v = field(j, {"val_dice", "valDice"}); v && v->is_number()) e.valDice = v->get<double>();
  e.valDiceEma = num(j, {"val_dice_ema", "valDiceEma"});
  if (const json* v = field(j, {"best"}); v && v->is_boolean()) e.best = v->get<bool>();
  e.epochSec = num(j, {"epoch_s", "epoch_sec", "epochSec"});
  // The validation preview, relative to the run folder as the trainer records it.
  e.previewPath = text(j, {"preview", "preview_path", "previewPath"});
  e.previewVolume = text(j, {"preview_volume", "previewVolume"});
  e.previewZ = integer(j, {"preview_z", "previewZ"}, -1);
  return e;
}

RunStartEvent startFrom(const json& j) {
  RunStartEvent e;
  e.runDir = text(j, {"run_dir", "runDir"});
  e.strategy = text(j, {"strategy"});
  if (const json* d = field(j, {"devices"}); d && d->is_array())
    for (const json& x : *d)
      if (x.is_string()) e.devices.push_back(x.get<std::string>());
  e.epochs = integer(j, {"epochs"});
  e.stepsPerEpoch = integer(j, {"steps_per_epoch", "stepsPerEpoch"});
  e.startStep = integer(j, {"start_step", "startStep"});
  e.startEpoch = integer(j, {"start_epoch", "startEpoch"});
  e.globalBatch = integer(j, {"global_batch", "globalBatch"});
  return e;
}

RunEndEvent endFrom(const json& j) {
  RunEndEvent e;
  std::string outcome = text(j, {"outcome"});
  e.outcome = outcome == "failed"    ? RunOutcome::Failed
              : outcome == "stopped" ? RunOutcome::Stopped
                                     : RunOutcome::Finished;
  e.message = text(j, {"message"});
  e.step = integer(j, {"step"});
  e.epoch = integer(j, {"epoch"});
  return e;
}

// The trainer's step lines (all but one line per epoch of a long run) read in one pass with
// nlohmann's SAX interface, straight into a StepEvent, without building a document (~3x less
// work per line than parse + find; a 1000-epoch run has 250,000 of them). Anything else — other
// record types, other spellings, a damaged line — goes through the document path below.
class StepSax : public nlohmann::json_sax<json> {
 public:
  explicit StepSax(StepEvent& e) : e_(e) {}
  // A step line in the trainer's own spelling (other spellings take the document path).
  bool isStep() const { return type_ == "step" && !foreign_; }

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
    static const char* const top[] = {"type", "step", "epoch", "time", "loss", "lr", "grad_norm", "skipped",
                                      "micro_batch", "samples_per_s", "data_wait", "comm_wait", "step_spread",
                                      "step_s", "memory", "step_in_epoch", "steps_per_epoch", "total_steps",
                                      "elapsed_s", "eta_sec"};
    static const char* const device[] = {"device", "allocated", "reserved", "peak", "free", "total", "busy"};
    auto known = [&k](const auto& names) {
      return std::any_of(std::begin(names), std::end(names), [&k](const char* n) { return k == n; });
    };
    if ((depth_ == 1 && !known(top)) || (depth_ == 3 && inMemory_ && !known(device))) foreign_ = true;
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
      else if (k == "step_in_epoch") e_.stepInEpoch = i;
      else if (k == "steps_per_epoch") e_.stepsPerEpoch = i;
      else if (k == "total_steps") e_.totalSteps = i;
      else if (k == "elapsed_s") e_.elapsedSec = d;
      else if (k == "eta_sec") e_.etaSec = d;
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
  bool inMemory_ = false, foreign_ = false;
  DeviceMemory device_;
};

}  // namespace

bool parseMetricsLine(const std::string& line, MetricsRecord& out, std::string& problem) {
  {
    StepEvent e;
    StepSax sax(e);
    if (json::sax_parse(line, &sax) && sax.isStep()) {
      out = std::move(e);
      return true;
    }
  }
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    problem = "not a JSON object";
    return false;
  }
  const std::string kind = kindOf(j);
  if (kind == "step") out = stepFrom(j);
  else if (kind == "epoch") out = epochFrom(j);
  else if (kind == "run_start" || kind == "start") out = startFrom(j);
  else if (kind == "run_end" || kind == "end") out = endFrom(j);
  else {
    problem = kind.empty() ? "record without a type" : "unknown record type '" + kind + "'";
    return false;
  }
  return true;
}

MetricsFile readMetricsJsonl(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly))
    throw fileError(path.toStdString(), "cannot open: " + f.errorString().toStdString());
  MetricsFile result;
  int lineNo = 0;
  while (!f.atEnd()) {
    ++lineNo;
    const QByteArray raw = f.readLine().trimmed();
    if (raw.isEmpty()) continue;
    MetricsRecord record;
    std::string problem;
    if (parseMetricsLine(raw.toStdString(), record, problem))
      result.records.push_back(std::move(record));
    else
      result.problems << QString("%1:%2: %3").arg(path).arg(lineNo).arg(QString::fromStdString(problem));
  }
  return result;
}

}  // namespace vwb::ui

#include "ui/inspect/PredictionEstimate.h"

#include <QObject>
#include <algorithm>
#include <chrono>
#include <tuple>

namespace vwb::inspect {
namespace {

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string key(const std::vector<std::string>& checkpoints) {
  std::string k;
  for (const std::string& c : checkpoints) k += c + "\n";
  return k;
}

// The predictor's progress within one volume, as a fraction, to the meter.
class FractionRelay : public ProgressSink {
 public:
  FractionRelay(ProgressSink* outer, std::function<void(double)> fraction) : outer_(outer), fraction_(std::move(fraction)) {}
  void progress(const std::string& stage, int64_t done, int64_t total) override {
    if (outer_) outer_->progress(stage, done, total);
    if (total > 0) fraction_(double(done) / double(total));
  }

 private:
  ProgressSink* outer_;
  std::function<void(double)> fraction_;
};

}  // namespace

PredictionPlan planPrediction(ui::Engine& engine, const std::vector<std::string>& checkpoints,
                              const PredictOptions& options, const std::vector<Shape3>& shapes) {
  PredictionPlan plan;
  plan.volumes = int(shapes.size());
  std::map<std::tuple<int64_t, int64_t, int64_t>, int64_t> byShape;  // volumes often share a shape
  for (const Shape3& s : shapes) {
    const auto k = std::make_tuple(s.d, s.h, s.w);
    auto it = byShape.find(k);
    if (it == byShape.end()) it = byShape.emplace(k, engine.predictionTiles(checkpoints, options, s)).first;
    if (it->second <= 0) return {plan.volumes, 0};
    plan.tiles += it->second;
  }
  return plan;
}

PredictOptions cheaperPredictOptions(const PredictOptions& options) {
  PredictOptions o = options;
  o.tta = Tta::None;
  o.overlap = std::min(o.overlap, 0.25);
  return o;
}

QString describePredictOptions(const PredictOptions& o) {
  const QString tta = o.tta == Tta::None ? QObject::tr("no TTA") : o.tta == Tta::Flips ? QObject::tr("flips TTA")
                                                                                       : QObject::tr("flips + rotations TTA");
  return QObject::tr("%1, overlap %2").arg(tta).arg(o.overlap, 0, 'g', 3);
}

std::mutex TileRates::mutex_;
std::map<std::string, double> TileRates::rates_;

double TileRates::rate(const std::vector<std::string>& checkpoints) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = rates_.find(key(checkpoints));
  return it == rates_.end() ? 0.0 : it->second;
}

void TileRates::record(const std::vector<std::string>& checkpoints, double tilesPerSecond) {
  if (!(tilesPerSecond > 0)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  rates_[key(checkpoints)] = tilesPerSecond;
}

MeteredPredictor::MeteredPredictor(std::unique_ptr<ui::VolumePredictor> inner, std::function<int64_t(const Shape3&)> tilesOf,
                                   int64_t tilesTotal, Report report)
    : inner_(std::move(inner)), tilesOf_(std::move(tilesOf)), total_(tilesTotal), report_(std::move(report)) {}

VolumeU8 MeteredPredictor::predict(const VolumeU8& image, ProgressSink* progress, const CancelToken* cancel) {
  const int64_t tiles = tilesOf_(image.shape);
  FractionRelay relay(progress, [this, tiles](double f) { tick(before_ + int64_t(f * double(tiles) + 0.5)); });
  VolumeU8 out = inner_->predict(image, &relay, cancel);
  before_ += tiles;
  return out;
}

// The clock starts at the first finished batch (the model is loaded and warm by then), so the
// rate is the network's, not the loading's.
double MeteredPredictor::overallRate() const {
  return started_ && lastTiles_ > startTiles_ && lastSeconds_ > startSeconds_
             ? double(lastTiles_ - startTiles_) / (lastSeconds_ - startSeconds_)
             : 0.0;
}

void MeteredPredictor::tick(int64_t done) {
  const double now = nowSeconds();
  lastSeconds_ = now;
  lastTiles_ = done;
  if (!started_) {
    started_ = true;
    startSeconds_ = now;
    startTiles_ = done;
    return;
  }
  const double elapsed = now - startSeconds_;
  bool first = false;
  if (elapsed >= kMeasureSeconds && done > startTiles_) {
    rate_ = double(done - startTiles_) / elapsed;
    first = !measured_;
    measured_ = true;
  }
  if (!first && lastReport_ >= 0 && now - lastReport_ < 0.25) return;
  lastReport_ = now;
  Reading r;
  r.tilesDone = done;
  r.tilesTotal = total_;
  r.tilesPerSecond = measured_ ? rate_ : 0;
  r.secondsLeft = measured_ && total_ > 0 ? std::max<double>(0, double(total_ - done)) / rate_ : -1;
  r.firstMeasurement = first;
  if (report_) report_(r);
}

}  // namespace vwb::inspect

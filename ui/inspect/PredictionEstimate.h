#pragma once
// How long a prediction from the Predictions page will take, before and while it runs: the
// network evaluations (tiles) it needs — windows x TTA variants x models, from the checkpoints'
// patches (Engine::predictionTiles) — divided by the tile rate measured on this machine (the
// last prediction of the same models in this session, else the first seconds of this one).
// No widgets: the page shows what these compute.
#include <QString>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/infer/Predictor.h"
#include "ui/common/Engine.h"

namespace vwb::inspect {

struct PredictionPlan {
  int volumes = 0;
  int64_t tiles = 0;  // 0: unknown (the engine cannot say)
};

// The tiles for predicting volumes of these shapes with these checkpoints and options.
PredictionPlan planPrediction(ui::Engine& engine, const std::vector<std::string>& checkpoints,
                              const PredictOptions& options, const std::vector<Shape3>& shapes);

// A setting that costs fewer tiles: no TTA, overlap at most 0.25 (what a CPU can afford).
// Same as `options` when nothing cheaper is left.
PredictOptions cheaperPredictOptions(const PredictOptions& options);
QString describePredictOptions(const PredictOptions& options);  // "flips TTA, overlap 0.5"

// Tiles per second measured in this session, by the checkpoints predicted with (tile cost
// depends on the network and its patch, not on overlap or TTA).
class TileRates {
 public:
  static double rate(const std::vector<std::string>& checkpoints);  // 0: never measured
  static void record(const std::vector<std::string>& checkpoints, double tilesPerSecond);

 private:
  static std::mutex mutex_;
  static std::map<std::string, double> rates_;
};

// Wraps the loaded predictor to count tiles as they finish (from each volume's progress
// fraction and its tile count) and report the measured rate and what is left; `report` is
// called on the worker thread, at most every 250 ms, and once the rate is first measured.
class MeteredPredictor : public ui::VolumePredictor {
 public:
  struct Reading {
    int64_t tilesDone = 0, tilesTotal = 0;
    double tilesPerSecond = 0;  // 0 until measured
    double secondsLeft = -1;    // < 0 until measured
    bool firstMeasurement = false;  // this reading is the first with a rate
  };
  using Report = std::function<void(const Reading&)>;
  static constexpr double kMeasureSeconds = 2.0;  // of tiles before the rate counts

  MeteredPredictor(std::unique_ptr<ui::VolumePredictor> inner, std::function<int64_t(const Shape3&)> tilesOf,
                   int64_t tilesTotal, Report report);
  VolumeU8 predict(const VolumeU8& image, ProgressSink* progress, const CancelToken* cancel) override;
  double measuredRate() const { return rate_; }
  // The rate over everything predicted so far (also a prediction shorter than kMeasureSeconds);
  // 0 when fewer than two batches finished.
  double overallRate() const;

 private:
  void tick(int64_t done);

  std::unique_ptr<ui::VolumePredictor> inner_;
  std::function<int64_t(const Shape3&)> tilesOf_;
  int64_t total_ = 0, before_ = 0;
  Report report_;
  bool started_ = false, measured_ = false;
  int64_t startTiles_ = 0;
  double startSeconds_ = 0, lastReport_ = -1, rate_ = 0, lastSeconds_ = 0;
  int64_t lastTiles_ = 0;
};

}  // namespace vwb::inspect

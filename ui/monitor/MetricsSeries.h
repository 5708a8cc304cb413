#pragma once
// The monitor's data, with no widgets: training events in, plot series out. Live runs and
// runs rebuilt from metrics.jsonl go through the same functions, so a resumed run continues
// the same curves. Tests check these series directly.
#include <QString>
#include <QVector>
#include <map>
#include <string>

#include "engine/train/TrainingEvents.h"

namespace vwb::ui {

struct Series {
  QVector<double> x, y;
  void add(double xv, double yv) { x.push_back(xv); y.push_back(yv); }
  void clear() { x.clear(); y.clear(); }
  int size() const { return x.size(); }
  // Drops points with x > limit (steps recorded after the checkpoint a resume starts from).
  void truncateAfter(double limit);
};

// A validation preview the run wrote (RUN/previews/epoch-NNNN.tif), for the monitor's slider.
struct PreviewEntry {
  int64_t epoch = 0;
  QString path;  // as the event or metrics.jsonl gave it: absolute, or relative to the run folder
  QString volume;
  int64_t z = -1;
  double valDice = -1;  // < 0: none recorded
};

// One device's memory over the run (x = global step: metrics.jsonl has no wall-clock time, and
// steps stay continuous across resumes).
struct DeviceMemorySeries {
  Series allocatedGiB, reservedGiB;
  Series peakGiB;      // the device's peak so far (what a CPU rank shows instead of reserved)
  Series busyPercent;  // GPUs whose driver reports it (NVML); empty elsewhere
  double capacityGiB = 0;
};

class MetricsSeries {
 public:
  static constexpr double kSmoothing = 0.1;  // EMA weight of the newest loss

  void clear();
  void addRunStart(const RunStartEvent& e);
  // A step at or before the last one recorded means the run was resumed from an earlier
  // checkpoint (metrics.jsonl keeps the abandoned steps): the curves continue from there.
  void addStep(const StepEvent& e);
  // A step read back from metrics.jsonl (raw samples/s): smoothed as the live events are.
  void addRecordedStep(StepEvent e);
  void addEpoch(const EpochEvent& e);

  // x = global step
  Series lossRaw, lossSmoothed, learningRate, throughput;
  // Where each step's time went, in percent of the step: waiting for data, waiting for gradient
  // communication, and the spread of the devices' compute times (several devices only).
  Series dataWaitPercent, commWaitPercent, spreadPercent;
  bool severalDevices = false;  // a step reported more than one device
  // x = epoch
  Series trainLossPerEpoch, valLoss, valDice, valDiceEma;
  QVector<PreviewEntry> previews;  // by epoch, ascending
  std::map<std::string, DeviceMemorySeries> memory;  // by device name

  // Latest values, for the status line.
  StepEvent lastStep;
  EpochEvent lastEpoch;
  int64_t epochs = 0, stepsPerEpoch = 0, totalSteps = 0;
  bool hasStep = false, hasEpoch = false;

 private:
  void truncateAfterStep(double step);
  void truncateAfterEpoch(double epoch);
  double ema_ = 0;
  double recordedThroughputEma_ = 0;
};

}  // namespace vwb::ui

#include "ui/monitor/MetricsSeries.h"

namespace vwb::ui {

namespace {
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
}

void Series::truncateAfter(double limit) {
  int keep = 0;
  while (keep < x.size() && x[keep] <= limit) ++keep;
  x.resize(keep);
  y.resize(keep);
}

void MetricsSeries::clear() { *this = MetricsSeries(); }

void MetricsSeries::addRunStart(const RunStartEvent& e) {
  epochs = e.epochs;
  stepsPerEpoch = e.stepsPerEpoch;
  totalSteps = e.epochs * e.stepsPerEpoch;
  // A resume starts from its checkpoint: steps and epochs logged after it are replaced.
  truncateAfterStep(static_cast<double>(e.startStep));
  truncateAfterEpoch(static_cast<double>(e.startEpoch));
  recordedThroughputEma_ = 0;  // a new process starts its EMA afresh
}

void MetricsSeries::truncateAfterStep(double step) {
  for (Series* s : {&lossRaw, &lossSmoothed, &learningRate, &throughput, &dataWaitPercent, &commWaitPercent,
                    &spreadPercent})
    s->truncateAfter(step);
  for (auto& [name, d] : memory) {
    d.allocatedGiB.truncateAfter(step);
    d.reservedGiB.truncateAfter(step);
    d.peakGiB.truncateAfter(step);
    d.busyPercent.truncateAfter(step);
  }
  ema_ = lossSmoothed.size() ? lossSmoothed.y.back() : 0;
}

void MetricsSeries::truncateAfterEpoch(double epoch) {
  for (Series* s : {&trainLossPerEpoch, &valLoss, &valDice, &valDiceEma}) s->truncateAfter(epoch);
  while (!previews.isEmpty() && double(previews.back().epoch) > epoch) previews.pop_back();
}

void MetricsSeries::addStep(const StepEvent& e) {
  const double step = static_cast<double>(e.step);
  if (lossRaw.size() && step <= lossRaw.x.back()) truncateAfterStep(step - 1);
  ema_ = lossRaw.size() == 0 ? e.loss : kSmoothing * e.loss + (1 - kSmoothing) * ema_;
  lossRaw.add(step, e.loss);
  lossSmoothed.add(step, ema_);
  learningRate.add(step, e.lr);
  throughput.add(step, e.samplesPerSec);
  dataWaitPercent.add(step, 100 * e.dataWaitFraction);
  if (e.memory.size() > 1) severalDevices = true;
  if (severalDevices) {
    commWaitPercent.add(step, 100 * e.commWaitFraction);
    spreadPercent.add(step, 100 * e.stepSpread);
  }

  for (const DeviceMemory& m : e.memory) {
    DeviceMemorySeries& d = memory[m.device];
    d.allocatedGiB.add(step, m.allocatedBytes / kGiB);
    d.reservedGiB.add(step, m.reservedBytes / kGiB);
    d.peakGiB.add(step, m.peakBytes / kGiB);
    if (m.busy >= 0) d.busyPercent.add(step, 100 * m.busy);
    if (m.totalBytes > 0) d.capacityGiB = m.totalBytes / kGiB;
  }
  if (e.stepsPerEpoch > 0) stepsPerEpoch = e.stepsPerEpoch;
  if (e.totalSteps > 0) totalSteps = e.totalSteps;
  lastStep = e;
  hasStep = true;
}

// The trainer's live events carry its throughput EMA (0.9 old + 0.1 new, restarted by each
// process); metrics.jsonl records the raw samples/s. Replayed, it gets the same smoothing.
void MetricsSeries::addRecordedStep(StepEvent e) {
  if (throughput.size() == 0 || e.step <= throughput.x.back()) recordedThroughputEma_ = 0;
  recordedThroughputEma_ = recordedThroughputEma_ == 0 ? e.samplesPerSec : 0.9 * recordedThroughputEma_ + 0.1 * e.samplesPerSec;
  e.samplesPerSec = recordedThroughputEma_;
  addStep(e);
}

void MetricsSeries::addEpoch(const EpochEvent& e) {
  const double epoch = static_cast<double>(e.epoch);
  if (trainLossPerEpoch.size() && epoch <= trainLossPerEpoch.x.back()) truncateAfterEpoch(epoch - 1);
  trainLossPerEpoch.add(epoch, e.trainLoss);
  if (e.valLoss) valLoss.add(epoch, *e.valLoss);
  if (e.valDice) {
    valDice.add(epoch, *e.valDice);
    valDiceEma.add(epoch, e.valDiceEma);
  }
  if (!e.previewPath.empty())
    previews.push_back({e.epoch, QString::fromStdString(e.previewPath), QString::fromStdString(e.previewVolume),
                        e.previewZ, e.valDice.value_or(-1.0)});
  if (e.epochs > 0) epochs = e.epochs;
  lastEpoch = e;
  hasEpoch = true;
}

}  // namespace vwb::ui

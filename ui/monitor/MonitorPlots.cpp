#include "ui/monitor/MonitorPlots.h"

#include <algorithm>

#include <QDir>

#include "ui/monitor/ComparedRuns.h"
#include "ui/monitor/MonitorPlot.h"

namespace vwb::ui {
namespace {
const QColor kRaw(150, 170, 200);
const QColor kSmooth(25, 85, 170);
const QColor kVal(200, 80, 30);
const QColor kDice(30, 140, 60);

// Keys of a step series, by step or by epoch (step / steps per epoch).
QVector<double> keys(const vwb::ui::Series& s, bool byEpoch, double stepsPerEpoch) {
  if (!byEpoch || stepsPerEpoch <= 0) return s.x;
  QVector<double> k = s.x;
  for (double& v : k) v /= stepsPerEpoch;
  return k;
}
}  // namespace

MonitorPlots::MonitorPlots(QObject* parent) : QObject(parent) {
  loss_ = new MonitorPlot(tr("Training loss"), tr("step"), tr("loss"));
  loss_->addLine(tr("raw"), kRaw, Qt::SolidLine, 1.0);
  loss_->addLine(tr("smoothed"), kSmooth, Qt::SolidLine, 2.0);

  val_ = new MonitorPlot(tr("Validation per epoch"), tr("epoch"), tr("value"));
  auto epochTicks = QSharedPointer<QCPAxisTickerFixed>::create();  // epochs are whole numbers
  epochTicks->setTickStep(1.0);
  epochTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  val_->xAxis->setTicker(epochTicks);
  for (QCPGraph* gr : {val_->addLine(tr("train loss"), kRaw), val_->addLine(tr("val loss"), kVal),
                       val_->addLine(tr("val dice"), kDice)})
    gr->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));

  lr_ = new MonitorPlot(tr("Learning rate"), tr("step"), tr("lr"));
  lr_->addLine(tr("lr"), QColor(120, 60, 160));

  memory_ = new MonitorPlot(tr("Device memory"), tr("step"), tr("GiB"));
  throughput_ = new MonitorPlot(tr("Throughput"), tr("step"), tr("samples/s"));
  throughput_->addLine(tr("samples/s"), QColor(0, 130, 130));
  // Where each step's time goes; the communication and spread lines, and each GPU's busy
  // share, appear once the run has several devices (or a driver that reports it).
  stepTime_ = new MonitorPlot(tr("Step time"), tr("step"), tr("% of the step"));
  stepTime_->addLine(tr("data wait"), QColor(200, 80, 30));
  for (MonitorPlot* p : all()) connect(p, &MonitorPlot::viewReset, this, &MonitorPlots::viewReset);
}

QList<MonitorPlot*> MonitorPlots::all() const { return {loss_, val_, lr_, memory_, throughput_, stepTime_}; }

QColor MonitorPlots::deviceColor(int index) {
  static const QColor colors[] = {QColor(25, 85, 170), QColor(200, 80, 30), QColor(30, 140, 60),
                                  QColor(150, 50, 150), QColor(0, 130, 130), QColor(160, 120, 0)};
  return colors[index % 6];
}

// 5 % room above and below the data; a flat or single-valued series gets a range around it.
void MonitorPlots::padValueRange(QCPAxis* axis) {
  const QCPRange r = axis->range();
  const double span = r.size();
  if (span <= 1e-12 * std::max(1.0, std::abs(r.center()))) {
    const double half = std::max(0.05, 0.1 * std::abs(r.center()));
    axis->setRange(r.center() - half, r.center() + half);
  } else {
    axis->setRange(r.lower - 0.05 * span, r.upper + 0.05 * span);
  }
}

void MonitorPlots::draw(const MetricsSeries& series_, const QString& runName, const ComparedRuns& compared, bool byEpoch) {
  const double spe = double(series_.stepsPerEpoch);
  loss_->graph(0)->setData(keys(series_.lossRaw, byEpoch, spe), series_.lossRaw.y, true);
  loss_->graph(1)->setData(keys(series_.lossSmoothed, byEpoch, spe), series_.lossSmoothed.y, true);
  val_->graph(0)->setData(series_.trainLossPerEpoch.x, series_.trainLossPerEpoch.y, true);
  val_->graph(1)->setData(series_.valLoss.x, series_.valLoss.y, true);
  val_->graph(2)->setData(series_.valDice.x, series_.valDice.y, true);
  lr_->graph(0)->setData(keys(series_.learningRate, byEpoch, spe), series_.learningRate.y, true);
  throughput_->graph(0)->setData(keys(series_.throughput, byEpoch, spe), series_.throughput.y, true);
  drawCompared(compared, byEpoch);
  // Beside other runs the open run's curves carry its name too.
  const QString own = compared.empty() ? QString() : runName + " ";
  loss_->graph(0)->setName(own + tr("raw"));
  loss_->graph(1)->setName(own + tr("smoothed"));
  val_->graph(0)->setName(own + tr("train loss"));
  val_->graph(1)->setName(own + tr("val loss"));
  val_->graph(2)->setName(own + tr("val dice"));
  for (MonitorPlot* p : {loss_, lr_, memory_, throughput_, stepTime_})
    p->xAxis->setLabel(byEpoch ? tr("epoch") : tr("step"));
  drawStepTime(series_, byEpoch);

  // Memory: allocated (solid) and reserved (dashed) per device, capacity dotted. A device whose
  // allocator reserves nothing of its own (CPU ranks) shows its peak dashed instead.
  auto reservesNothing = [](const DeviceMemorySeries& d) {
    return std::all_of(d.reservedGiB.y.begin(), d.reservedGiB.y.end(), [](double v) { return v == 0; });
  };
  const int wanted = static_cast<int>(series_.memory.size()) * 3;
  if (memory_->graphCount() != wanted) {
    memory_->clearGraphs();
    int i = 0;
    for (const auto& [name, d] : series_.memory) {
      const QString dev = QString::fromStdString(name);
      memory_->addLine(dev + tr(" allocated"), deviceColor(i), Qt::SolidLine, 1.8);
      memory_->addLine(dev + tr(" reserved"), deviceColor(i), Qt::DashLine, 1.2);
      memory_->addLine(dev + tr(" capacity"), deviceColor(i), Qt::DotLine, 1.2);
      ++i;
    }
  }
  int i = 0;
  double maxUsed = 0, maxCapacity = 0;
  for (const auto& [name, d] : series_.memory) {
    for (double v : d.allocatedGiB.y) maxUsed = std::max(maxUsed, v);
    for (double v : d.reservedGiB.y) maxUsed = std::max(maxUsed, v);
    maxCapacity = std::max(maxCapacity, d.capacityGiB);
    memory_->graph(3 * i + 2)->setName(QString::fromStdString(name) + tr(" capacity %1 GiB").arg(d.capacityGiB, 0, 'f', 1));
    const QVector<double> mx = keys(d.allocatedGiB, byEpoch, spe);
    memory_->graph(3 * i)->setData(mx, d.allocatedGiB.y, true);
    const bool showPeak = reservesNothing(d) && d.allocatedGiB.size() > 0 && d.peakGiB.y.back() > d.allocatedGiB.y.back();
    const Series& dashed = showPeak ? d.peakGiB : d.reservedGiB;
    memory_->graph(3 * i + 1)->setName(QString::fromStdString(name) + (showPeak ? tr(" peak") : tr(" reserved")));
    memory_->graph(3 * i + 1)->setData(keys(dashed, byEpoch, spe), dashed.y, true);
    for (double v : dashed.y) maxUsed = std::max(maxUsed, v);
    QVector<double> cx, cy;
    if (d.capacityGiB > 0 && d.allocatedGiB.size() > 0) {
      cx = {mx.front(), mx.back()};
      cy = {d.capacityGiB, d.capacityGiB};
    }
    memory_->graph(3 * i + 2)->setData(cx, cy, true);
    ++i;
  }

  // A plot the user zoomed or panned keeps its view as points arrive (double-click gives it back).
  for (MonitorPlot* p : all()) {
    if (!p->followsData()) continue;
    p->rescaleAxes();
    padValueRange(p->yAxis);  // a point on the edge (or a single one) is drawn, not clipped
    if (p == memory_ || p == throughput_ || p == stepTime_) p->yAxis->setRangeLower(0);
  }
  // The validation plot spans the run's epochs 1…N: one point sits at its epoch, not in -1.5…3.5.
  double lastEpoch = std::max<double>(1.0, double(series_.epochs));
  for (const Series* s : {&series_.trainLossPerEpoch, &series_.valLoss, &series_.valDice})
    if (s->size() > 0) lastEpoch = std::max(lastEpoch, s->x.back());
  for (const auto& run : compared.runs())
    for (const Series* s : {&run->series.valLoss, &run->series.valDice})
      if (s->size() > 0) lastEpoch = std::max(lastEpoch, s->x.back());
  if (val_->followsData()) val_->xAxis->setRange(0.5, lastEpoch + 0.5);
  // A capacity far above the use (a CPU's whole RAM) would flatten the curves: then the line
  // goes off scale and its value stays in the legend.
  if (!memory_->followsData()) {
  } else if (maxCapacity > 0 && maxUsed < 0.25 * maxCapacity && maxUsed > 0) {
    memory_->yAxis->setRange(0, maxUsed * 1.3);
  } else if (maxCapacity > 0) {
    memory_->yAxis->setRange(0, maxCapacity * 1.05);
  } else if (series_.memory.empty()) {
    memory_->yAxis->setRange(0, 1);  // no memory reported (yet): an axis, not a squashed sliver
  }
  for (MonitorPlot* p : all()) p->replot(QCustomPlot::rpQueuedReplot);
}


void MonitorPlots::drawStepTime(const MetricsSeries& series_, bool byEpoch) {
  const double spe = double(series_.stepsPerEpoch);
  struct Line {
    QString name;
    const Series* series;
    QColor color;
    Qt::PenStyle style;
  };
  // Short names: four plots share the row, and the legend sits under each.
  std::vector<Line> lines{{tr("data wait"), &series_.dataWaitPercent, QColor(200, 80, 30), Qt::SolidLine}};
  if (series_.severalDevices) {
    lines.push_back({tr("comm"), &series_.commWaitPercent, QColor(25, 85, 170), Qt::SolidLine});
    lines.push_back({tr("spread"), &series_.spreadPercent, QColor(120, 120, 120), Qt::DashLine});
  }
  int device = 0;
  for (const auto& [name, d] : series_.memory) {
    if (d.busyPercent.size() > 0)
      lines.push_back({QString::fromStdString(name) + tr(" busy"), &d.busyPercent, deviceColor(device), Qt::DotLine});
    ++device;
  }
  if (stepTime_->graphCount() != int(lines.size())) {
    stepTime_->clearGraphs();
    for (const Line& l : lines) stepTime_->addLine(l.name, l.color, l.style, 1.4);
  }
  for (int i = 0; i < int(lines.size()); ++i)
    stepTime_->graph(i)->setData(keys(*lines[size_t(i)].series, byEpoch, spe), lines[size_t(i)].series->y, true);
}

void MonitorPlots::drawCompared(const ComparedRuns& compared, bool byEpoch) {
  for (const auto& run : compared.runs()) {
    const MetricsSeries& s = run->series;
    const ComparedGraphs& g = comparedGraphs_.at(run->dir);
    g.loss->setData(keys(s.lossSmoothed, byEpoch, double(s.stepsPerEpoch)), s.lossSmoothed.y, true);
    g.valDice->setData(s.valDice.x, s.valDice.y, true);
    g.valLoss->setData(s.valLoss.x, s.valLoss.y, true);
  }
}

void MonitorPlots::addCompared(const ComparedRun& run) {
  ComparedGraphs g;
  g.loss = loss_->addLine(run.name, run.color, Qt::SolidLine, 1.8);
  g.valDice = val_->addLine(run.name + tr(" val dice"), run.color, Qt::SolidLine, 1.5);
  g.valLoss = val_->addLine(run.name + tr(" val loss"), run.color, Qt::DashLine, 1.5);
  for (QCPGraph* graph : {g.valDice, g.valLoss}) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, 5));
  comparedGraphs_[run.dir] = g;
}

void MonitorPlots::removeCompared(const QString& dir) {
  auto it = comparedGraphs_.find(dir);
  if (it == comparedGraphs_.end()) return;
  loss_->removeGraph(it->second.loss);
  val_->removeGraph(it->second.valDice);
  val_->removeGraph(it->second.valLoss);
  comparedGraphs_.erase(it);
}

QStringList MonitorPlots::save(const QString& dir) {
  QStringList written;
  QDir().mkpath(dir);
  const QStringList names = {"loss", "validation", "lr", "memory", "throughput", "step-time"};
  const QList<MonitorPlot*> plots = all();
  for (int i = 0; i < plots.size(); ++i)
    for (const char* suffix : {".png", ".pdf"}) {
      const QString path = dir + "/" + names[i] + suffix;
      if (plots[i]->saveTo(path)) written << path;
    }
  return written;
}

}  // namespace vwb::ui

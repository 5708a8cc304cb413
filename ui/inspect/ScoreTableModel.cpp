#include "ui/inspect/ScoreTableModel.h"

#include <algorithm>

#include "engine/metrics/Score.h"
#include "ui/common/Format.h"
#include "ui/inspect/PostProcessRecord.h"

namespace vwb::inspect {
namespace {

const char* kHeaders[] = {"Volume", "Role", "Shape", "SurfaceDice", "VOI_score", "TopoScore", "Score",
                          "Fg %", "Components"};

QStandardItem* textItem(const QString& text) {
  auto* item = new QStandardItem(text);
  item->setData(text, Qt::UserRole);
  item->setEditable(false);
  return item;
}

// Shown formatted, sorted by value; absent values ("—") sort first.
QStandardItem* numberItem(double value, bool present, int decimals = 4) {
  auto* item = new QStandardItem(present ? QString::number(value, 'f', decimals) : QString("—"));
  item->setData(present ? value : -1.0, Qt::UserRole);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  item->setEditable(false);
  return item;
}

// Why a term is low: the official intermediate numbers, as a tooltip on the VOI and Topo cells.
QString voiDetails(const VolumeScore& s) {
  return QObject::tr("VOI %1 bits = split %2 (a GT sheet cut by the prediction) + merge %3 (GT sheets joined)")
      .arg(s.voi, 0, 'f', 4).arg(s.voiSplit, 0, 'f', 4).arg(s.voiMerge, 0, 'f', 4);
}

QString topoDetails(const VolumeScore& s) {
  QStringList lines{QObject::tr("Betti matching, summed over the 8 octants (matched / predicted / GT):")};
  const char* names[3] = {"components", "tunnels", "cavities"};
  for (int k = 0; k < 3; ++k)
    lines << QObject::tr("%1: %2 / %3 / %4%5").arg(names[k]).arg(s.matched[k]).arg(s.predPairs[k]).arg(s.gtPairs[k])
                 .arg(s.topoUsed[k] ? QObject::tr(", F1 %1").arg(s.topoF1[k], 0, 'f', 4) : QObject::tr(" (not used)"));
  return lines.join('\n');
}

}  // namespace

ScoreTableModel::ScoreTableModel(QObject* parent) : QStandardItemModel(0, ColumnCount, parent) {
  for (int c = 0; c < ColumnCount; ++c) setHeaderData(c, Qt::Horizontal, kHeaders[c]);
  setSortRole(Qt::UserRole);
  setHeaderData(Foreground, Qt::Horizontal, tr("Predicted foreground fraction"), Qt::ToolTipRole);
  setHeaderData(Components, Qt::Horizontal, tr("26-connected components of the mask"), Qt::ToolTipRole);
}

void ScoreTableModel::setRows(const std::vector<InspectRow>& rows, const RunSplit& split, int sortColumn,
                              Qt::SortOrder order) {
  removeRows(0, rowCount());
  for (const InspectRow& r : rows) {
    const bool s = r.labeled && r.predicted;
    const VolumeRole role = split.role(r.id, r.labeled);
    QStandardItem* roleItem = textItem(roleName(role));
    if (role == VolumeRole::Train) roleItem->setToolTip(tr("Trained on: its score flatters the model"));
    QList<QStandardItem*> items{textItem(QString::fromStdString(r.id)), roleItem,
                                textItem(r.predicted ? ui::formatShape(r.shape) : tr("not predicted")),
                                numberItem(r.score.surfaceDice, s), numberItem(r.score.voiScore, s),
                                numberItem(r.score.topoScore, s), numberItem(r.score.score, s),
                                numberItem(r.foregroundFraction * 100, r.predicted, 2),
                                numberItem(double(r.components), r.predicted, 0)};
    if (s) {
      items[VoiScore]->setToolTip(voiDetails(r.score));
      items[TopoScore]->setToolTip(topoDetails(r.score));
      if (r.score.allIgnored) items[Score]->setToolTip(tr("The label is 2 (unlabeled) everywhere: left out of the mean."));
    }
    appendRow(items);
  }
  if (sortColumn >= 0 && sortColumn < ColumnCount) sort(sortColumn, order);
}

QString ScoreTableModel::summary(const std::vector<InspectRow>& rows, const RunSplit& split, const PostProcessOptions& post,
                                 bool haveVolumes) {
  std::vector<VolumeScore> scored, validation, training;
  for (const InspectRow& r : rows) {
    if (!(r.labeled && r.predicted)) continue;
    const VolumeRole role = split.role(r.id, r.labeled);
    (role == VolumeRole::Validation ? validation : role == VolumeRole::Train ? training : scored).push_back(r.score);
  }
  auto terms = [](const VolumeScore& m) {
    return tr("SurfaceDice %1, VOI_score %2, TopoScore %3").arg(m.surfaceDice, 0, 'f', 4).arg(m.voiScore, 0, 'f', 4).arg(m.topoScore, 0, 'f', 4);
  };
  // A volume labelled 2 (unlabeled) everywhere scores 1 whatever the prediction: it is left out
  // of the mean, and of the count the mean is over.
  auto over = [](const std::vector<VolumeScore>& v) {
    const auto ignored = std::count_if(v.begin(), v.end(), [](const VolumeScore& s) { return s.allIgnored; });
    const QString n = QString::number(static_cast<qlonglong>(v.size()) - ignored);
    return ignored ? tr("%1 (%2 left out: unlabeled everywhere)").arg(n).arg(ignored) : n;
  };
  QStringList lines;
  if (!validation.empty()) {
    const VolumeScore m = meanScore(validation);
    lines << tr("<b>Validation mean %1</b> over %2 held-out volume(s) — %3").arg(m.score, 0, 'f', 4).arg(over(validation)).arg(terms(m));
  } else if (!training.empty()) {
    lines << tr("<b>No validation volumes</b> in this run's split: every labelled volume was trained on.");
  }
  if (!training.empty()) {
    const VolumeScore m = meanScore(training);
    lines << tr("<span style='color:#8a5a00'>Training volumes (seen in training, not an estimate): mean %1 over %2 — %3</span>")
                 .arg(m.score, 0, 'f', 4).arg(over(training)).arg(terms(m));
  }
  if (!scored.empty()) {
    const VolumeScore m = meanScore(scored);
    lines << tr("<b>Mean score %1</b> over %2 labeled volume(s), split unknown (no run open, or it records none) — %3")
                 .arg(m.score, 0, 'f', 4).arg(over(scored)).arg(terms(m));
  }
  if (lines.isEmpty())
    return !haveVolumes ? tr("No dataset open.")
                        : tr("<b>No scores yet.</b> Predict with a checkpoint of this run to score its labeled volumes.");
  return lines.join("<br>") + tr(" (%1)").arg(describePostProcess(post).toHtmlEscaped());
}

}  // namespace vwb::inspect

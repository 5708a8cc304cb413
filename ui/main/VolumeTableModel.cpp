#include "ui/main/VolumeTableModel.h"

#include <QColor>
#include <algorithm>
#include <tuple>

#include "ui/common/Format.h"

namespace vwb::ui {

namespace {
// Numeric ids (the competition's) compare as numbers of any length, others as text.
bool idLess(const QString& a, const QString& b) {
  auto digits = [](const QString& s) {
    return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](QChar c) { return c.isDigit(); });
  };
  if (digits(a) && digits(b) && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}
double fraction(const VolumeTableModel::Row& r, int column) {
  if (!r.fractions) return -1;  // unknown or no label: first in ascending order
  return column == VolumeTableModel::BackgroundColumn ? r.fractions->background
         : column == VolumeTableModel::SurfaceColumn  ? r.fractions->surface
                                                      : r.fractions->unlabeled;
}
// Ascending order puts problems first: corrupt, stale, missing, cached, not yet read.
int cacheRank(const std::optional<CacheState>& s) {
  if (!s) return 4;
  switch (*s) {
    case CacheState::Corrupt: return 0;
    case CacheState::Stale: return 1;
    case CacheState::Missing: return 2;
    case CacheState::Cached: return 3;
  }
  return 4;
}
}  // namespace

VolumeTableModel::VolumeTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void VolumeTableModel::setRows(std::vector<Row> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

void VolumeTableModel::rowChanged(int r, int first, int last) {
  Q_EMIT dataChanged(index(r, first), index(r, last));
}

void VolumeTableModel::setFractions(const std::vector<std::pair<int, LabelFractions>>& fractions) {
  if (fractions.empty()) return;
  int lo = rowCount(), hi = -1;
  for (const auto& [r, f] : fractions) {
    if (r < 0 || r >= rowCount()) continue;
    rows_[size_t(r)].fractions = f;
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  // One signal per batch: the proxy re-sorts once, not once per row.
  if (hi >= lo) Q_EMIT dataChanged(index(lo, BackgroundColumn), index(hi, UnlabeledColumn));
}

void VolumeTableModel::setCacheStatus(const DatasetCacheStatus& status) {
  const size_t train = status.train.size();
  for (size_t r = 0; r < rows_.size(); ++r) {
    const VolumeCacheStatus* s = r < train ? &status.train[r]
                                 : r - train < status.test.size() ? &status.test[r - train] : nullptr;
    Row& row = rows_[r];
    if (!s) {
      row.cache.reset();
      continue;
    }
    row.cache = s->state;
    row.cacheDetail = QString::fromStdString(s->detail);
    if (s->fractions && row.hasLabel) row.fractions = s->fractions;
  }
  if (!rows_.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QString VolumeTableModel::cacheStateText(CacheState s) {
  switch (s) {
    case CacheState::Cached: return tr("cached");
    case CacheState::Missing: return tr("missing");
    case CacheState::Stale: return tr("stale");
    case CacheState::Corrupt: return tr("corrupt");
  }
  return {};
}

bool VolumeTableModel::lessThan(int column, int ia, int ib) const {
  const Row& a = rows_[size_t(ia)];
  const Row& b = rows_[size_t(ib)];
  switch (column) {
    case ScrollColumn:
      if (a.scroll != b.scroll) return a.scroll < b.scroll;
      break;
    case ShapeColumn:
      if (a.shape.voxels() != b.shape.voxels()) return a.shape.voxels() < b.shape.voxels();
      if (a.shape != b.shape) return std::tie(a.shape.d, a.shape.h, a.shape.w) < std::tie(b.shape.d, b.shape.h, b.shape.w);
      break;
    case BackgroundColumn:
    case SurfaceColumn:
    case UnlabeledColumn:
      if (fraction(a, column) != fraction(b, column)) return fraction(a, column) < fraction(b, column);
      break;
    case RoleColumn:
      if (a.role != b.role) return a.role < b.role;
      break;
    case CacheColumn:
      if (cacheRank(a.cache) != cacheRank(b.cache)) return cacheRank(a.cache) < cacheRank(b.cache);
      break;
    default:
      break;
  }
  return idLess(a.id, b.id);  // ties (and the id column) by id: a stable, meaningful order
}

int VolumeTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int VolumeTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant VolumeTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const Row& r = rows_[size_t(index.row())];
  const int c = index.column();
  const bool numeric = c == BackgroundColumn || c == SurfaceColumn || c == UnlabeledColumn;
  switch (role) {
    case Qt::DisplayRole:
      switch (c) {
        case IdColumn: return r.id;
        case ScrollColumn: return r.scroll.isEmpty() ? tr("–") : r.scroll;
        case ShapeColumn: return r.shape.empty() ? tr("unreadable") : formatShape(r.shape);
        case RoleColumn: return r.role;
        case CacheColumn: return r.cache ? cacheStateText(*r.cache) : tr("…");
        default:
          if (!r.hasLabel) return tr("–");
          return r.fractions ? formatPercent(fraction(r, c)) : tr("…");
      }
    case Qt::TextAlignmentRole:
      return QVariant::fromValue(numeric ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
      if (c == CacheColumn && r.cache) {
        if (*r.cache == CacheState::Corrupt) return QColor(170, 0, 0);
        if (*r.cache == CacheState::Stale) return QColor(150, 90, 0);
        if (*r.cache == CacheState::Missing) return QColor(110, 110, 110);
      }
      return {};
    case Qt::ToolTipRole:
      if (c == CacheColumn && r.cache) {
        if (!r.cacheDetail.isEmpty()) return r.cacheDetail;
        if (*r.cache == CacheState::Missing) return tr("Not preprocessed yet: Preprocess decodes it into the cache");
        if (*r.cache == CacheState::Cached) return tr("In the chunk cache: training reads it without decoding the TIFF");
      }
      return {};
    default:
      return {};
  }
}

QVariant VolumeTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::ToolTipRole && section == CacheColumn)
    return tr("The volume in the preprocessed chunk cache: cached, missing, stale (its files changed) or corrupt");
  if (role == Qt::InitialSortOrderRole) return Qt::AscendingOrder;  // a first click sorts ascending
  if (role != Qt::DisplayRole) return {};
  static const char* names[] = {"Volume", "Scroll", "Shape (D×H×W)", "Background", "Surface", "Unlabeled", "Role", "Cache"};
  return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

}  // namespace vwb::ui

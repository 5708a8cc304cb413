#pragma once
// The Data page's volumes as a table model: id, scroll, shape, label fractions, role and chunk
// cache state, one row per training and test volume. Plain data, no engine calls: the page fills
// it from the scan, the label-fraction task and the cache status. Sorting compares the values
// (ids numerically, shapes by size, unknown fractions first), not the displayed text.
#include <QAbstractTableModel>
#include <optional>
#include <vector>

#include "engine/core/Volume.h"
#include "ui/common/Engine.h"

namespace vwb::ui {

class VolumeTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { IdColumn, ScrollColumn, ShapeColumn, BackgroundColumn, SurfaceColumn, UnlabeledColumn, RoleColumn,
                CacheColumn, ColumnCount };

  struct Row {
    QString id, scroll, role;
    Shape3 shape;
    bool hasLabel = false;
    std::optional<LabelFractions> fractions;
    std::optional<CacheState> cache;  // nullopt until the cache's state is read
    QString cacheDetail;
  };

  explicit VolumeTableModel(QObject* parent = nullptr);

  void setRows(std::vector<Row> rows);  // one reset
  // Row r is the dataset's train volume r; test volumes follow the training ones.
  void setFractions(const std::vector<std::pair<int, LabelFractions>>& fractions);
  void setCacheStatus(const DatasetCacheStatus& status);  // keeps known fractions, adds cached ones
  const Row& row(int r) const { return rows_[size_t(r)]; }
  bool lessThan(int column, int a, int b) const;

  static QString cacheStateText(CacheState s);  // "cached", "missing", "stale", "corrupt"

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  void rowChanged(int r, int first, int last);
  std::vector<Row> rows_;
};

}  // namespace vwb::ui

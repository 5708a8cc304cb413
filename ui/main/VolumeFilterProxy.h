#pragma once
// The Data page's view of its VolumeTableModel: filtered by scroll id and by a piece of the volume
// id, sorted by the model's values (VolumeTableModel::lessThan), not by the displayed text.
#include <QSortFilterProxyModel>
#include <optional>

namespace vwb::ui {
class VolumeTableModel;

class VolumeFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit VolumeFilterProxy(VolumeTableModel* model, QObject* parent = nullptr);

  // nullopt: every scroll; "": volumes without a scroll id.
  void setScroll(std::optional<QString> scroll);
  void setIdFilter(const QString& text);  // case-insensitive substring of the id; "" = all

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  VolumeTableModel* model_;
  std::optional<QString> scroll_;
  QString idFilter_;
};

}  // namespace vwb::ui

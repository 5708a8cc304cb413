#include "ui/main/VolumeFilterProxy.h"

#include "ui/main/VolumeTableModel.h"

namespace vwb::ui {

VolumeFilterProxy::VolumeFilterProxy(VolumeTableModel* model, QObject* parent)
    : QSortFilterProxyModel(parent), model_(model) {
  setSourceModel(model);
  setDynamicSortFilter(true);  // fractions and cache states arriving later keep the order
}

void VolumeFilterProxy::setScroll(std::optional<QString> scroll) {
  if (scroll == scroll_) return;
  scroll_ = std::move(scroll);
  invalidateFilter();
}

void VolumeFilterProxy::setIdFilter(const QString& text) {
  const QString t = text.trimmed();
  if (t == idFilter_) return;
  idFilter_ = t;
  invalidateFilter();
}

bool VolumeFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
  const VolumeTableModel::Row& r = model_->row(sourceRow);
  if (scroll_ && r.scroll != *scroll_) return false;
  return idFilter_.isEmpty() || r.id.contains(idFilter_, Qt::CaseInsensitive);
}

bool VolumeFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  return model_->lessThan(left.column(), left.row(), right.row());
}

}  // namespace vwb::ui

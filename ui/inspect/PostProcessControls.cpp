#include "ui/inspect/PostProcessControls.h"

#include <algorithm>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSignalBlocker>
#include <QSpinBox>

namespace vwb::inspect {

PostProcessControls::PostProcessControls(QWidget* parent)
    : QGroupBox(tr("Post-processing (re-scores, no network)"), parent) {
  auto* qf = new QFormLayout(this);
  threshold_ = new QDoubleSpinBox;
  threshold_->setObjectName("threshold");
  threshold_->setRange(0.01, 0.99);
  threshold_->setSingleStep(0.05);
  threshold_->setDecimals(2);
  threshold_->setValue(0.5);
  qf->addRow(tr("Threshold"), threshold_);
  plugHoles_ = new QCheckBox(tr("Plug 1-voxel holes"));
  plugHoles_->setObjectName("plugHoles");
  qf->addRow(plugHoles_);
  closing_ = new QSpinBox;
  closing_->setObjectName("closing");
  closing_->setRange(0, 5);
  qf->addRow(tr("Closing radius"), closing_);
  sheetClosing_ = new QSpinBox;
  sheetClosing_->setObjectName("sheetClosing");
  sheetClosing_->setRange(0, 5);
  sheetClosing_->setToolTip(tr("Each sheet closed on its own along its best projection axis: fills holes in its "
                               "footprint without thickening it or fusing it to a neighbour"));
  qf->addRow(tr("Per-sheet closing"), sheetClosing_);
  fillHoles_ = new QCheckBox(tr("Fill holes"));
  fillHoles_->setObjectName("fillHoles");
  qf->addRow(fillHoles_);
  border_ = new QSpinBox;
  border_->setObjectName("border");
  border_->setRange(0, 64);
  qf->addRow(tr("Zero border (voxels)"), border_);
  minComponent_ = new QSpinBox;
  minComponent_->setObjectName("minComponent");
  minComponent_->setRange(0, 10000000);
  minComponent_->setSingleStep(100);
  qf->addRow(tr("Min component (voxels)"), minComponent_);
  connect(threshold_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &PostProcessControls::changed);
  for (QSpinBox* s : {border_, minComponent_, closing_, sheetClosing_})
    connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &PostProcessControls::changed);
  for (QCheckBox* c : {plugHoles_, fillHoles_}) connect(c, &QCheckBox::toggled, this, &PostProcessControls::changed);
}

PostProcessOptions PostProcessControls::options() const {
  PostProcessOptions o;
  o.threshold = threshold_->value();
  o.borderVoxels = border_->value();
  o.minComponentVoxels = minComponent_->value();
  o.closingRadius = closing_->value();
  o.fillHoles = fillHoles_->isChecked();
  o.plugHoles = plugHoles_->isChecked();
  o.sheetClosingRadius = sheetClosing_->value();
  return o;
}

void PostProcessControls::setOptions(const PostProcessOptions& o) {
  const QSignalBlocker b1(threshold_), b2(border_), b3(minComponent_), b4(closing_), b5(fillHoles_), b6(plugHoles_),
      b7(sheetClosing_);
  threshold_->setValue(o.threshold);
  border_->setValue(o.borderVoxels);
  minComponent_->setValue(int(std::min<int64_t>(o.minComponentVoxels, minComponent_->maximum())));
  closing_->setValue(o.closingRadius);
  fillHoles_->setChecked(o.fillHoles);
  plugHoles_->setChecked(o.plugHoles);
  sheetClosing_->setValue(o.sheetClosingRadius);
}

}  // namespace vwb::inspect

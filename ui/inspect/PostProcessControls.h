#pragma once
// The Predictions page's post-processing controls, in the pipeline's order
// (engine/infer/PostProcess.h): threshold, plug 1-voxel holes, closing, per-sheet closing, fill
// holes, zero border, minimum component. changed() on every edit (the page re-scores, no network).
#include <QGroupBox>

#include "engine/infer/PostProcess.h"

class QCheckBox;
class QDoubleSpinBox;
class QSpinBox;

namespace vwb::inspect {

class PostProcessControls : public QGroupBox {
  Q_OBJECT

 public:
  // Child object names: threshold, plugHoles, closing, sheetClosing, fillHoles, border, minComponent.
  explicit PostProcessControls(QWidget* parent = nullptr);

  PostProcessOptions options() const;
  void setOptions(const PostProcessOptions& options);  // no changed()
  QDoubleSpinBox* thresholdSpin() const { return threshold_; }

 Q_SIGNALS:
  void changed();

 private:
  QDoubleSpinBox* threshold_ = nullptr;
  QSpinBox* border_ = nullptr;
  QSpinBox* minComponent_ = nullptr;
  QSpinBox* closing_ = nullptr;
  QSpinBox* sheetClosing_ = nullptr;
  QCheckBox* plugHoles_ = nullptr;
  QCheckBox* fillHoles_ = nullptr;
};

}  // namespace vwb::inspect

#include "ui/viewer/ViewerControlPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/viewer/TransferPresets.h"
#include "ui/viewer/ViewerTypes.h"

namespace vwb::viewer {
namespace {

QSlider* slider(int lo, int hi, int value) {
  auto* s = new QSlider(Qt::Horizontal);
  s->setRange(lo, hi);
  s->setValue(value);
  return s;
}

// A slider with its value shown at its right.
QWidget* withText(QSlider* s, QLabel** text) {
  auto* w = new QWidget;
  auto* l = new QHBoxLayout(w);
  l->setContentsMargins(0, 0, 0, 0);
  *text = new QLabel;
  (*text)->setMinimumWidth(38);
  (*text)->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  l->addWidget(s, 1);
  l->addWidget(*text);
  return w;
}

QString swatch(const Rgb& c, const QString& text) {
  return QString("<span style='color:rgb(%1,%2,%3)'>&#9632;</span> %4")
      .arg(int(c[0] * 255)).arg(int(c[1] * 255)).arg(int(c[2] * 255)).arg(text);
}

}  // namespace

ViewerControlPanel::ViewerControlPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  auto* display = new QGroupBox(tr("CT display"));
  auto* df = new QFormLayout(display);
  windowSlider = slider(1, 255, 255);
  levelSlider = slider(0, 255, 128);
  presetCombo = new QComboBox;
  for (const auto& name : transferPresetNames()) presetCombo->addItem(QString::fromStdString(name));
  volumeRenderingCheck = new QCheckBox(tr("Volume rendering in 3D"));
  volumeRenderingCheck->setChecked(true);
  df->addRow(tr("Window"), withText(windowSlider, &windowText_));
  df->addRow(tr("Level"), withText(levelSlider, &levelText_));
  df->addRow(tr("3D preset"), presetCombo);
  df->addRow(volumeRenderingCheck);
  layout->addWidget(display);

  auto* overlays = new QGroupBox(tr("Overlays"));
  auto* of = new QFormLayout(overlays);
  predictionCheck = new QCheckBox;
  predictionCheck->setChecked(true);
  groundTruthCheck = new QCheckBox;
  auto* predLabel = new QLabel(swatch(kPredictionColor, tr("Prediction")));
  auto* gtLabel = new QLabel(swatch(kGroundTruthColor, tr("Ground truth")));
  predLabel->setBuddy(predictionCheck);
  gtLabel->setBuddy(groundTruthCheck);
  of->addRow(predictionCheck, predLabel);
  of->addRow(groundTruthCheck, gtLabel);
  compareCheck = new QCheckBox(tr("Side by side in the slices"));
  compareCheck->setToolTip(tr("Each slice view shows the prediction (left) and the ground truth "
                              "(right) of the same slice, with one cursor, zoom and pan"));
  compareCheck->setEnabled(false);
  of->addRow(compareCheck);
  thresholdSlider = slider(0, kThresholdScale, kThresholdScale / 2);
  thresholdSlider->setToolTip(tr("Probability from which a voxel counts as foreground"));
  opacitySlider = slider(0, kOpacityScale, kOpacityScale / 2);
  of->addRow(tr("Threshold"), withText(thresholdSlider, &thresholdText_));
  of->addRow(tr("Opacity"), withText(opacitySlider, &opacityText_));
  layout->addWidget(overlays);

  auto* cursor = new QGroupBox(tr("Cursor"));
  auto* cl = new QVBoxLayout(cursor);
  auto* spins = new QHBoxLayout;
  const char* names[3] = {"x", "y", "z"};
  for (int a = 0; a < 3; ++a) {
    cursorSpin[a] = new QSpinBox;
    cursorSpin[a]->setPrefix(QString("%1 ").arg(names[a]));
    cursorSpin[a]->setRange(0, 0);
    spins->addWidget(cursorSpin[a]);
  }
  cl->addLayout(spins);
  valueLabel = new QLabel;
  valueLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  cl->addWidget(valueLabel);
  layout->addWidget(cursor);

  auto* buttons = new QHBoxLayout;
  resetButton = new QPushButton(tr("Reset cameras"));
  resetButton->setToolTip(tr("Fit every view (R)"));
  screenshotButton = new QPushButton(tr("Screenshot…"));
  buttons->addWidget(resetButton);
  buttons->addWidget(screenshotButton);
  layout->addLayout(buttons);

  auto* help = new QLabel(tr("<small>Slices: click/drag sets the cursor, wheel or ↑/↓ PgUp/PgDn "
                             "steps slices, right-drag zooms, middle-drag pans. 3D: drag rotates, "
                             "wheel zooms. R resets.</small>"));
  help->setWordWrap(true);
  layout->addWidget(help);
  statusLabel = new QLabel;
  statusLabel->setWordWrap(true);
  layout->addWidget(statusLabel);
  layout->addStretch(1);

  for (QSlider* s : {windowSlider, levelSlider, thresholdSlider, opacitySlider})
    connect(s, &QSlider::valueChanged, this, &ViewerControlPanel::refreshValueTexts);
  refreshValueTexts();
  setMaximumWidth(300);
}

void ViewerControlPanel::refreshValueTexts() {
  windowText_->setText(QString::number(windowSlider->value()));
  levelText_->setText(QString::number(levelSlider->value()));
  thresholdText_->setText(QString::number(thresholdSlider->value() / double(kThresholdScale), 'f', 3));
  opacityText_->setText(QString::number(opacitySlider->value() / double(kOpacityScale), 'f', 2));
}

}  // namespace vwb::viewer

#include "ui/wizard/HardwarePage.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "ui/common/Format.h"
#include "ui/common/Settings.h"
#include "ui/wizard/SetupWizard.h"

namespace vwb::ui {

HardwarePage::HardwarePage(SetupWizard& wizard) : wizard_(wizard) {
  setTitle(tr("2 · Hardware"));
  setSubTitle(tr("What this machine has. Plan for other hardware to see what the planner would do there."));
  gpus_ = new QTableWidget(0, 4);
  gpus_->setHorizontalHeaderLabels({tr("GPU"), tr("Name"), tr("Memory"), tr("Compute")});
  gpus_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  gpus_->verticalHeader()->hide();
  gpus_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  machine_ = new QLabel;
  machine_->setTextFormat(Qt::RichText);
  machine_->setWordWrap(true);
  whatIf_ = new QCheckBox(tr("Plan for other hardware (--assume-gpus)"));
  spec_ = new QLineEdit(Settings().lastChoice("assumeGpus", "2x16GB").toString());
  spec_->setPlaceholderText(tr("e.g. 2x16GB, 8x80GB:sm80"));
  spec_->setEnabled(false);
  apply_ = new QPushButton(tr("Apply"));
  apply_->setEnabled(false);
  error_ = new QLabel;
  error_->setStyleSheet("color: #a00000");
  error_->setWordWrap(true);
  notice_ = new QLabel;
  notice_->setStyleSheet("color: #8a5a00");
  notice_->setWordWrap(true);

  auto* whatIfRow = new QHBoxLayout;
  whatIfRow->addWidget(whatIf_);
  whatIfRow->addWidget(spec_, 1);
  whatIfRow->addWidget(apply_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(machine_);
  layout->addWidget(gpus_, 1);
  layout->addLayout(whatIfRow);
  layout->addWidget(error_);
  layout->addWidget(notice_);

  connect(whatIf_, &QCheckBox::toggled, this, [this](bool on) {
    spec_->setEnabled(on);
    apply_->setEnabled(on);
    applyWhatIf();
  });
  connect(apply_, &QPushButton::clicked, this, &HardwarePage::applyWhatIf);
  connect(spec_, &QLineEdit::returnPressed, this, &HardwarePage::applyWhatIf);
  connect(&wizard_, &SetupWizard::hardwareChanged, this, &HardwarePage::showHardware);
}

void HardwarePage::initializePage() {
  if (detected_) return;
  detected_ = true;
  try {
    wizard_.detectHardware();
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
  }
}

void HardwarePage::applyWhatIf() {
  error_->clear();
  try {
    if (whatIf_->isChecked()) {
      wizard_.assumeHardware(spec_->text().trimmed());
      Settings().setLastChoice("assumeGpus", spec_->text().trimmed());
    } else {
      wizard_.detectHardware();
    }
  } catch (const std::exception& e) {
    error_->setText(tr("Cannot plan for '%1': %2").arg(spec_->text(), QString::fromStdString(e.what())));
  }
}

QString HardwarePage::machineText() const { return machine_->text(); }
QString HardwarePage::errorText() const { return error_->text(); }
QString HardwarePage::noticeText() const { return notice_->text(); }

void HardwarePage::showHardware() {
  const HardwareInventory& hw = wizard_.hardware();
  gpus_->setRowCount(static_cast<int>(hw.gpus.size()));
  for (int i = 0; i < static_cast<int>(hw.gpus.size()); ++i) {
    const GpuInfo& g = hw.gpus[i];
    gpus_->setItem(i, 0, new QTableWidgetItem(QString("cuda:%1").arg(g.index)));
    gpus_->setItem(i, 1, new QTableWidgetItem(QString::fromStdString(g.name)));
    gpus_->setItem(i, 2, new QTableWidgetItem(formatBytes(g.totalBytes)));
    gpus_->setItem(i, 3, new QTableWidgetItem(g.computeMajor ? QString("sm%1%2").arg(g.computeMajor).arg(g.computeMinor) : "–"));
  }
  QString text = tr("<b>%1</b> · %2 CPU cores · %3 RAM · %4 GPU(s)")
                     .arg(hw.assumed ? tr("Assumed hardware (what-if)") : tr("Detected on this machine"))
                     .arg(hw.cpuCores).arg(formatBytes(hw.ramBytes)).arg(hw.gpus.size());
  if (hw.gpus.empty()) text += tr("<br>No GPU: training runs on the CPU.");
  if (hw.nodes > 1) text += tr(" · %1 nodes").arg(hw.nodes);
  machine_->setText(text);
  notice_->setText(wizard_.notice());
  gpus_->setVisible(!hw.gpus.empty());
}

}  // namespace vwb::ui

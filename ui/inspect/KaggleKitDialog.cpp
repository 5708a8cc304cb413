#include "ui/inspect/KaggleKitDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "engine/kit/KaggleKit.h"

namespace vwb::inspect {

namespace {

KaggleKitRequest requestFrom(const QString& run, const QLineEdit* checkpoint, const QSpinBox* volumes,
                             const QComboBox* tta, const QLineEdit* out) {
  KaggleKitRequest r;
  r.runDir = run.toStdString();
  if (!checkpoint->text().trimmed().isEmpty()) r.checkpoints = {checkpoint->text().trimmed().toStdString()};
  r.hiddenVolumes = volumes->value();
  if (tta->currentIndex() > 0) r.tta = tta->currentData().toString().toStdString();
  r.out = out->text().trimmed().toStdString();
  return r;
}

}  // namespace

KaggleKitDialog::KaggleKitDialog(const QString& runDir, QWidget* parent) : QDialog(parent), runDir_(runDir) {
  setWindowTitle(tr("Export for a Kaggle notebook"));
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(tr("A folder to upload as a Kaggle dataset: the model, the run's inference settings and "
                              "post-processing, the engine's sources and a notebook that builds them against the "
                              "notebook's PyTorch, predicts every hidden test volume on every GPU and writes "
                              "submission.zip — offline, with the masks this workbench makes."));
  intro->setWordWrap(true);
  layout->addWidget(intro);
  auto* form = new QFormLayout;
  form->addRow(tr("Run"), new QLabel(runDir));
  checkpoint_ = new QLineEdit;
  checkpoint_->setObjectName("checkpoint");
  checkpoint_->setPlaceholderText(QDir(runDir).filePath("checkpoints/best.pt"));
  form->addRow(tr("Checkpoint"), checkpoint_);
  tta_ = new QComboBox;
  tta_->setObjectName("tta");
  tta_->addItem(tr("as the run's predictions"), QString());
  for (const char* t : {"none", "flips", "full"}) tta_->addItem(t, QString(t));
  form->addRow(tr("TTA"), tta_);
  hiddenVolumes_ = new QSpinBox;
  hiddenVolumes_->setObjectName("hiddenVolumes");
  hiddenVolumes_->setRange(1, 100000);
  hiddenVolumes_->setValue(kDefaultHiddenVolumes);
  hiddenVolumes_->setToolTip(tr("The hidden test set's size is not published: %1 volumes of 320³ is about 15% of "
                                "the training volumes. The estimate below assumes this many.")
                                 .arg(kDefaultHiddenVolumes));
  form->addRow(tr("Hidden test volumes"), hiddenVolumes_);
  out_ = new QLineEdit(QDir(runDir).filePath("kaggle-kit"));
  out_->setObjectName("out");
  form->addRow(tr("Write to"), out_);
  layout->addLayout(form);
  plan_ = new QLabel;
  plan_->setObjectName("plan");
  plan_->setWordWrap(true);
  plan_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(plan_);
  warning_ = new QLabel;
  warning_->setObjectName("warning");
  warning_->setWordWrap(true);
  warning_->setStyleSheet("color: #b00020");
  layout->addWidget(warning_);
  result_ = new QLabel;
  result_->setObjectName("result");
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(result_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  write_ = buttons->addButton(tr("Write kit"), QDialogButtonBox::ActionRole);
  write_->setObjectName("writeKit");
  layout->addWidget(buttons);
  // Enter in a field commits that field and nothing else: no button is the dialog's default, so
  // it neither closes the dialog (Qt 6.8 made Close the default: the dialog was deleted under the
  // "would not fit" question) nor writes a kit by accident.
  for (QAbstractButton* b : buttons->buttons())
    if (auto* push = qobject_cast<QPushButton*>(b)) {
      push->setAutoDefault(false);
      push->setDefault(false);
    }
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(write_, &QPushButton::clicked, this, &KaggleKitDialog::writeKit);
  connect(checkpoint_, &QLineEdit::textChanged, this, &KaggleKitDialog::refresh);
  connect(tta_, &QComboBox::currentIndexChanged, this, &KaggleKitDialog::refresh);
  connect(hiddenVolumes_, &QSpinBox::valueChanged, this, &KaggleKitDialog::refresh);
  resize(640, 420);
  refresh();
}

void KaggleKitDialog::refresh() {
  planned_ = false;
  try {
    const KaggleKitPlan plan = planKaggleKit(requestFrom(runDir_, checkpoint_, hiddenVolumes_, tta_, out_));
    QStringList lines;
    for (const auto& m : plan.models)
      lines << tr("Model: %1 (%2, patch %3, %4 GFLOP per patch)")
                   .arg(QString::fromStdString(m.source), QString::fromStdString(m.arch))
                   .arg(m.patch)
                   .arg(m.forwardFlops / 1e9, 0, 'f', 1);
    lines << tr("Inference: TTA %1, overlap %2 (from %3)")
                 .arg(QString::fromStdString(plan.tta))
                 .arg(plan.overlap)
                 .arg(QString::fromStdString(plan.settingsSource));
    lines << tr("Post-processing from %1").arg(QString::fromStdString(plan.postSource));
    fits_ = true;
    for (const auto& e : plan.estimates) {
      lines << tr("Estimate %1").arg(QString::fromStdString(e.text()));
      fits_ = fits_ && e.fits();
    }
    plan_->setText(lines.join('\n'));
    QStringList warnings;
    for (const auto& w : plan.warnings) warnings << QString::fromStdString(w);
    warning_->setText(warnings.join('\n'));
    planned_ = true;
  } catch (const std::exception& e) {
    plan_->clear();
    warning_->setText(QString::fromUtf8(e.what()));
  }
  write_->setEnabled(planned_);
}

void KaggleKitDialog::writeKit() {
  refresh();
  if (!planned_) return;
  if (!fits_ &&
      QMessageBox::warning(this, tr("The kit would not fit Kaggle's 9 hours"),
                           warning_->text() + "\n\n" + tr("Write it anyway? The notebook drops TTA variants when it "
                                                          "measures that it is late."),
                           QMessageBox::Yes | QMessageBox::No, QMessageBox::No) != QMessageBox::Yes) {
    result_->setText(tr("Not written."));
    return;
  }
  const KaggleKitRequest request = requestFrom(runDir_, checkpoint_, hiddenVolumes_, tta_, out_);
  try {
    const int64_t bytes = writeKaggleKit(request, planKaggleKit(request));
    result_->setText(tr("Wrote %1 (%2 MB): upload it as a Kaggle dataset and run its %3.")
                         .arg(out_->text())
                         .arg(double(bytes) / 1e6, 0, 'f', 1)
                         .arg(kKaggleKitNotebook));
    Q_EMIT written(out_->text(), bytes);
  } catch (const std::exception& e) {
    result_->setText(tr("Not written: %1").arg(QString::fromUtf8(e.what())));
  }
}

}  // namespace vwb::inspect

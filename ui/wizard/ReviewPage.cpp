#include "ui/wizard/ReviewPage.h"

#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QGuiApplication>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

#include "engine/core/AtomicFile.h"
#include "engine/run/RunFolder.h"
#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/wizard/SetupWizard.h"

namespace vwb::ui {

ReviewPage::ReviewPage(SetupWizard& wizard) : wizard_(wizard) {
  setTitle(tr("5 · Review"));
  setSubTitle(tr("The resolved configuration, written to config.json when the run starts."));
  runDir_ = new QLineEdit;
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the new run"),
                                                          QFileInfo(runDir_->text()).absolutePath());
    if (!dir.isEmpty()) runDir_->setText(dir + "/" + QFileInfo(runDir_->text()).fileName());
  });
  connect(runDir_, &QLineEdit::textEdited, this, [this](const QString& t) {
    wizard_.setRunDir(t);
    refresh();
  });
  summary_ = new QLabel;
  summary_->setWordWrap(true);
  estimate_ = new QLabel;
  estimate_->setWordWrap(true);
  json_ = new QPlainTextEdit;
  json_->setReadOnly(true);
  json_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  error_ = new QLabel;
  error_->setStyleSheet("color: #a00000");
  error_->setWordWrap(true);

  blocker_ = new QLabel;
  blocker_->setWordWrap(true);
  blocker_->setStyleSheet("color: #8a5a00; font-weight: bold");
  command_ = new QLineEdit;
  command_->setReadOnly(true);
  command_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  command_->setToolTip(tr("Runs this plan with the command-line trainer on the machine it was planned for"));
  save_ = new QPushButton(tr("Save config…"));
  copy_ = new QPushButton(tr("Copy command line"));
  connect(save_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the config JSON"),
                                                      QDir(QFileInfo(wizard_.runDir()).absolutePath()).filePath("config.json"),
                                                      tr("JSON (*.json)"));
    if (!path.isEmpty()) saveConfig(path);
  });
  connect(copy_, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(commandLine()); });

  auto* exportRow = new QHBoxLayout;
  exportRow->addWidget(new QLabel(tr("Command line")));
  exportRow->addWidget(command_, 1);
  exportRow->addWidget(copy_);
  exportRow->addWidget(save_);

  auto* dirRow = new QHBoxLayout;
  dirRow->addWidget(new QLabel(tr("Run directory")));
  dirRow->addWidget(runDir_, 1);
  dirRow->addWidget(browse);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(dirRow);
  layout->addWidget(summary_);
  layout->addWidget(estimate_);
  layout->addWidget(json_, 1);
  layout->addLayout(exportRow);
  layout->addWidget(blocker_);
  layout->addWidget(error_);
  connect(&wizard_, &SetupWizard::planChanged, this, &ReviewPage::refresh);
}

void ReviewPage::initializePage() {
  runDir_->setText(wizard_.runDir());
  refresh();
}

bool ReviewPage::isComplete() const { return wizard_.canStart() && !runDir_->text().trimmed().isEmpty(); }

bool ReviewPage::validatePage() {
  const QString dir = runDir_->text().trimmed();
  if (QFileInfo::exists(QString::fromStdString(RunFolder(dir.toStdString()).config()))) {
    error_->setText(tr("%1 already holds a run: choose another folder, or open it on the Monitor page to resume it.").arg(dir));
    return false;
  }
  wizard_.setRunDir(dir);
  return true;
}

QString ReviewPage::configText() const { return json_->toPlainText(); }
QString ReviewPage::blockerText() const { return blocker_->text(); }
QString ReviewPage::errorText() const { return error_->text(); }

namespace {
QString shellQuoted(const QString& s) {
  static const QRegularExpression plain("^[A-Za-z0-9_./:=+-]+$");
  if (plain.match(s).hasMatch()) return s;
  return "'" + QString(s).replace("'", "'\\''") + "'";
}
}  // namespace

QString ReviewPage::commandLine() const {
  const TrainConfig c = wizard_.finalConfig();
  return QStringList{"vwb", "train", "--config", shellQuoted(savedConfig_.isEmpty() ? "config.json" : savedConfig_),
                     "--data", shellQuoted(QString::fromStdString(c.run.dataDir)), "--out", shellQuoted(QString::fromStdString(c.run.dir))}
      .join(' ');
}

bool ReviewPage::saveConfig(const QString& path) {
  if (json_->toPlainText().isEmpty()) {
    error_->setText(tr("Could not write %1: %2").arg(path, tr("there is no config")));
    return false;
  }
  try {
    writeFileAtomically(path.toStdString(), (json_->toPlainText() + "\n").toStdString());
  } catch (const std::exception& e) {
    error_->setText(tr("Could not write %1").arg(QString::fromStdString(e.what())));
    return false;
  }
  savedConfig_ = path;
  error_->clear();
  refresh();
  return true;
}
QString ReviewPage::estimateText() const { return estimate_->text(); }

void ReviewPage::refresh() {
  error_->clear();
  blocker_->setText(wizard_.startBlocker());
  save_->setEnabled(wizard_.hasPlan());
  copy_->setEnabled(wizard_.hasPlan());
  if (!wizard_.hasPlan()) {
    command_->clear();
    json_->clear();
    summary_->setText(wizard_.planError());
    Q_EMIT completeChanged();
    return;
  }
  const TrainConfig c = wizard_.finalConfig();
  try {
    json_->setPlainText(QString::fromStdString(wizard_.context().engine().configJson(c)));
  } catch (const std::exception& e) {
    json_->clear();
    error_->setText(QString::fromStdString(e.what()));
  }
  command_->setText(commandLine());
  QStringList devices;
  for (const std::string& d : c.distributed.devices) devices << QString::fromStdString(d);
  const int64_t globalBatch = static_cast<int64_t>(c.data.batchPerDevice) * std::max<size_t>(1, c.distributed.devices.size()) * c.optimizer.gradAccumulation;
  summary_->setText(tr("<b>%1</b> on %2 · patch %3^3 · batch %4 per device (global %5) · %6 epochs × %7 steps")
                        .arg(strategyLabel(c.distributed.strategy), devices.join(", ")).arg(c.data.patch).arg(c.data.batchPerDevice)
                        .arg(globalBatch).arg(c.run.epochs).arg(c.run.stepsPerEpoch));
  const auto& probe = wizard_.probe();
  if (!probe || probe->secondsPerStep <= 0) {
    estimate_->setText(tr("Time estimate: run the probe on the previous page to measure the step time."));
  } else {
    const double perEpoch = probe->secondsPerStep * c.run.stepsPerEpoch;
    QString text = tr("<b>Estimated</b> %1 per epoch (training steps), %2 for the run — from the probe's %3 s per step")
                       .arg(formatDuration(perEpoch), formatDuration(perEpoch * c.run.epochs))
                       .arg(probe->secondsPerStep, 0, 'f', 2);
    if (probe->batchPerDevice != c.data.batchPerDevice || probe->patch != c.data.patch)
      text += tr(" <span style='color:#8a5a00'>(measured at batch %1, patch %2: probe again)</span>")
                  .arg(probe->batchPerDevice).arg(probe->patch);
    estimate_->setText(text);
  }
  Q_EMIT completeChanged();
}

}  // namespace vwb::ui

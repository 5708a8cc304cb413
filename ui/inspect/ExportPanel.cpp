#include "ui/inspect/ExportPanel.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/export/PredictionFolder.h"
#include "engine/io/TiffVolume.h"
#include "engine/run/RunFolder.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/KaggleKitDialog.h"
#include "ui/inspect/PostProcessRecord.h"
#include "ui/inspect/PredictionSession.h"
#include "ui/inspect/RunLocator.h"

namespace vwb::inspect {
namespace {

QLineEdit* pathRow(QFormLayout* form, const QString& label, QWidget* parent, bool directory) {
  auto* edit = new QLineEdit;
  auto* browse = new QPushButton("…");
  browse->setMaximumWidth(30);
  QObject::connect(browse, &QPushButton::clicked, parent, [edit, parent, directory, label] {
    const QString p = directory ? QFileDialog::getExistingDirectory(parent, label, edit->text())
                                : QFileDialog::getSaveFileName(parent, label, edit->text());
    if (!p.isEmpty()) edit->setText(p);
  });
  auto* row = new QHBoxLayout;
  row->addWidget(edit, 1);
  row->addWidget(browse);
  form->addRow(label, row);
  return edit;
}

QTableWidgetItem* cell(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(item->flags() & ~Qt::ItemIsEditable);
  return item;
}

}  // namespace

ExportPanel::ExportPanel(ui::WorkbenchContext& context, QWidget* parent) : QWidget(parent), context_(context) {
  auto* layout = new QVBoxLayout(this);
  auto* paths = new QGroupBox(tr("Submission"));
  auto* form = new QFormLayout(paths);
  maskDir_ = pathRow(form, tr("Test masks folder"), this, true);
  testImages_ = pathRow(form, tr("Test images folder"), this, true);
  csv_ = pathRow(form, tr("test.csv (optional)"), this, false);
  zip_ = pathRow(form, tr("Write to"), this, false);
  layout->addWidget(paths);

  checkButton_ = new QPushButton(tr("Check"));
  writeButton_ = new QPushButton(tr("Write submission.zip"));
  writeButton_->setEnabled(false);
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setEnabled(false);
  progress_ = new QProgressBar;
  progress_->setVisible(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(checkButton_);
  buttons->addWidget(writeButton_);
  buttons->addWidget(cancelButton_);
  buttons->addWidget(progress_, 1);
  kaggleButton_ = new QPushButton(tr("Export for a Kaggle notebook…"));
  kaggleButton_->setObjectName("kaggleKit");
  kaggleButton_->setToolTip(tr("The run's model, settings and post-processing as a Kaggle dataset whose notebook "
                               "predicts the hidden test set offline with this engine"));
  buttons->addWidget(kaggleButton_);
  layout->addLayout(buttons);

  entries_ = new QTableWidget(0, 5);
  entries_->setHorizontalHeaderLabels({tr("Test id"), tr("Expected shape"), tr("Mask shape"), tr("dtype"), tr("Mask file")});
  entries_->verticalHeader()->hide();
  entries_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  entries_->horizontalHeader()->setStretchLastSection(true);
  layout->addWidget(entries_, 2);
  layout->addWidget(new QLabel(tr("Problems")));
  problems_ = new QListWidget;
  layout->addWidget(problems_, 1);
  postProcess_ = new QLabel;
  postProcess_->setObjectName("postProcess");
  postProcess_->setWordWrap(true);
  layout->addWidget(postProcess_);
  result_ = new QLabel;
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(result_);

  connect(checkButton_, &QPushButton::clicked, this, &ExportPanel::check);
  connect(writeButton_, &QPushButton::clicked, this, &ExportPanel::writeZip);
  connect(cancelButton_, &QPushButton::clicked, this, &ExportPanel::cancel);
  connect(kaggleButton_, &QPushButton::clicked, this, &ExportPanel::openKaggleKit);
  // Any path edit invalidates the last check.
  for (QLineEdit* e : {maskDir_, testImages_, csv_, zip_})
    connect(e, &QLineEdit::textEdited, this, [this] {
      checked_ = false;
      writeButton_->setEnabled(false);
    });
  connect(&context_, &ui::WorkbenchContext::datasetChanged, this, &ExportPanel::resetPaths);
  connect(&context_, &ui::WorkbenchContext::runDirChanged, this, &ExportPanel::resetPaths);
  resetPaths();
}

ExportPanel::~ExportPanel() {
  // Joins every worker (the current task and retired ones) before the members they use go.
  if (task_) task_->cancel();
  task_.reset();
  ui::BackgroundTask::shutdownAll(this);
}

void ExportPanel::resetPaths() {
  const QString run = inspectedRunDir(context_);
  const QString root = context_.hasDataset() ? QString::fromStdString(context_.dataset().root) : QString();
  setPaths(run.isEmpty() ? QString() : QString::fromStdString(maskDir(run.toStdString())),
           root.isEmpty() ? QString() : QDir(root).filePath("test_images"),
           root.isEmpty() || !QFileInfo::exists(QDir(root).filePath("test.csv")) ? QString() : QDir(root).filePath("test.csv"),
           run.isEmpty() ? QString() : QString::fromStdString(RunFolder(run.toStdString()).submission()));
  if (isVisible() && !maskDir_->text().isEmpty() && !testImages_->text().isEmpty()) check();
}

void ExportPanel::openKaggleKit() {
  const QString run = inspectedRunDir(context_);
  if (run.isEmpty()) {
    result_->setText(tr("No run to export: open or train one first."));
    return;
  }
  auto* dialog = new KaggleKitDialog(run, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  kaggleDialog_ = dialog;
  dialog->open();
}

void ExportPanel::setPaths(const QString& maskDirPath, const QString& testImages, const QString& csv, const QString& zip) {
  maskDir_->setText(maskDirPath);
  testImages_->setText(testImages);
  csv_->setText(csv);
  zip_->setText(zip);
  checked_ = false;
  writeButton_->setEnabled(false);
}

void ExportPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (!checked_ && !busy() && !maskDir_->text().isEmpty() && !testImages_->text().isEmpty()) check();
}

bool ExportPanel::busy() const { return task_ && task_->running(); }

void ExportPanel::cancel() {
  if (task_) task_->cancel();
}

void ExportPanel::check() {
  if (busy()) return;
  const std::string masks = maskDir_->text().toStdString(), images = testImages_->text().toStdString(),
                    csv = csv_->text().toStdString();
  result_->clear();
  runTask(tr("Checking the submission"), [this, masks, images, csv](ProgressSink& p, const CancelToken& c) {
    p.progress("checking", 0, 0);
    pending_ = checkSubmission(masks, images, csv);
    // A folder `vwb predict` wrote: its masks must be the ones its manifest lists (no mix of runs).
    bool hasManifest = false;
    for (auto& problem : checkPredictionFolder(masks, hasManifest)) pending_.problems.push_back(problem);
    pendingDtypes_.clear();
    for (const auto& e : pending_.entries) {
      c.throwIfCancelled();
      QString dtype = "—";
      if (!e.predictionPath.empty() && std::filesystem::exists(e.predictionPath)) {
        try {
          dtype = dtypeName(probeTiff(e.predictionPath).dtype);
        } catch (const Error&) {
          dtype = "unreadable";
        }
      }
      pendingDtypes_.push_back(dtype);
    }
  }, [this] {
    check_ = pending_;
    dtypes_ = pendingDtypes_;
    checked_ = true;
    showCheck();
    Q_EMIT checked(check_.ok());
  }, [this](const QString& message) {
    checked_ = false;
    problems_->clear();
    problems_->addItem(message);
    Q_EMIT checked(false);
  });
}

void ExportPanel::showCheck() {
  entries_->setRowCount(0);
  for (size_t i = 0; i < check_.entries.size(); ++i) {
    const SubmissionEntry& e = check_.entries[i];
    const int row = entries_->rowCount();
    entries_->insertRow(row);
    const bool shapeOk = e.actualShape == e.expectedShape;
    entries_->setItem(row, 0, cell(QString::fromStdString(e.id)));
    entries_->setItem(row, 1, cell(ui::formatShape(e.expectedShape)));
    entries_->setItem(row, 2, cell(e.actualShape.empty() ? tr("missing") : ui::formatShape(e.actualShape)));
    entries_->setItem(row, 3, cell(i < dtypes_.size() ? dtypes_[i] : "—"));
    entries_->setItem(row, 4, cell(QString::fromStdString(e.predictionPath)));
    if (!shapeOk) entries_->item(row, 2)->setForeground(QColor(200, 40, 40));
  }
  problems_->clear();
  for (const auto& p : check_.problems) {
    auto* item = new QListWidgetItem(QString::fromStdString(p));
    item->setForeground(QColor(200, 40, 40));
    problems_->addItem(item);
  }
  if (check_.ok()) problems_->addItem(tr("None: %1 test volumes ready.").arg(check_.entries.size()));
  writeButton_->setEnabled(check_.ok());
  result_->setText(check_.ok() ? tr("Check passed.") : tr("Check failed: %1 problem(s); nothing will be written.").arg(check_.problems.size()));
  const auto post = readPostProcessRecord(postProcessRecordPath(maskDir_->text()));
  postProcess_->setText(post ? tr("<b>Masks made with</b> %1 (the Predictions page's setting, %2).")
                                   .arg(describePostProcess(*post), postProcessRecordPath(maskDir_->text()).toHtmlEscaped())
                             : tr("<span style='color:#8a5a00'>The masks' post-processing is not recorded (no "
                                  "postprocess.json beside them): score them on the Predictions page first.</span>"));
}

void ExportPanel::writeZip() {
  if (busy()) return;
  if (!checkPassed()) {
    const QString message = checked_ ? tr("Refused: the check found %1 problem(s) (listed above).").arg(check_.problems.size())
                                     : tr("Refused: check the submission first.");
    result_->setText(message);
    Q_EMIT writeFailed(message);
    return;
  }
  const std::string zip = zip_->text().toStdString();
  const SubmissionCheck check = check_;
  // The zip's post-processing goes beside it: <zip name>.postprocess.json.
  const QString record = postProcessRecordPath(maskDir_->text());
  const QString besideZip = QString::fromStdString(RunFolder::postProcessBeside(QFileInfo(zip_->text()).absoluteFilePath().toStdString()));
  runTask(tr("Writing submission.zip"), [this, check, zip, record, besideZip](ProgressSink& p, const CancelToken& c) {
    writtenBytes_ = writeSubmission(check, zip, &p, &c);
    if (const auto post = readPostProcessRecord(record)) writePostProcessRecord(besideZip, *post);
    else QFile::remove(besideZip);  // an older record would name settings this zip was not made with
  }, [this, besideZip] {
    const QString path = QFileInfo(zip_->text()).absoluteFilePath();
    result_->setText(tr("Wrote <b>%1</b> (%2, %3 volumes).").arg(path, ui::formatBytes(writtenBytes_))
                         .arg(check_.entries.size()) +
                     (QFileInfo::exists(besideZip) ? tr(" Its post-processing: %1.").arg(besideZip) : QString()));
    Q_EMIT written(path, writtenBytes_);
  }, [this](const QString& message) {
    result_->setText(tr("Not written: %1").arg(message));
    Q_EMIT writeFailed(message);
  });
}

void ExportPanel::runTask(const QString& title, std::function<void(ProgressSink&, const CancelToken&)> work,
                          std::function<void()> done, std::function<void(const QString&)> failed) {
  ui::BackgroundTask::retire(std::move(task_), this);
  task_ = std::make_unique<ui::BackgroundTask>(title, std::move(work));
  connect(task_.get(), &ui::BackgroundTask::progressChanged, this, [this](const QString&, qint64 d, qint64 t) {
    progress_->setRange(0, t > 0 ? int(t) : 0);
    progress_->setValue(int(d));
  });
  connect(task_.get(), &ui::BackgroundTask::finished, this, [this, done] {
    setBusy(false);
    done();
  });
  connect(task_.get(), &ui::BackgroundTask::failed, this, [this, failed](const QString& message) {
    setBusy(false);
    failed(message);
  });
  setBusy(true);
  task_->start();
}

void ExportPanel::setBusy(bool busy) {
  checkButton_->setEnabled(!busy);
  writeButton_->setEnabled(!busy && checkPassed());
  cancelButton_->setEnabled(busy);
  progress_->setVisible(busy);
}

}  // namespace vwb::inspect

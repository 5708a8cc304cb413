#include "ui/wizard/WizardDataPage.h"

#include <QLabel>
#include <QVBoxLayout>
#include <set>

#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/wizard/SetupWizard.h"

namespace vwb::ui {

WizardDataPage::WizardDataPage(SetupWizard& wizard) : wizard_(wizard) {
  setTitle(tr("1 · Data"));
  setSubTitle(tr("The dataset to train on and its fingerprint, which the planner sizes patches and batches from."));
  summary_ = new QLabel;
  summary_->setTextFormat(Qt::RichText);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary_);
  layout->addStretch();
  connect(&wizard_.context(), &WorkbenchContext::datasetChanged, this, &WizardDataPage::refresh);
  refresh();
}

void WizardDataPage::initializePage() { refresh(); }

bool WizardDataPage::isComplete() const {
  WorkbenchContext& c = wizard_.context();
  return c.hasDataset() && c.fingerprint() && c.dataset().report.ok();
}

QString WizardDataPage::summaryText() const { return summary_->text(); }

void WizardDataPage::refresh() {
  WorkbenchContext& c = wizard_.context();
  if (!c.hasDataset()) {
    summary_->setText(tr("<p><b>No dataset is open.</b></p><p>Open one on the <i>Data</i> page "
                         "(folder, drag and drop, or the demo dataset).</p>"));
    Q_EMIT completeChanged();
    return;
  }
  const Dataset& d = c.dataset();
  QString html = tr("<h3>%1</h3>").arg(QString::fromStdString(d.root).toHtmlEscaped());
  if (const auto& fp = c.fingerprint()) {
    QStringList shapes;
    for (const Shape3& s : fp->shapes) shapes << formatShape(s);
    html += "<table cellspacing='6'>";
    auto row = [&](const QString& k, const QString& v) { html += "<tr><td><b>" + k + "</b></td><td>" + v + "</td></tr>"; };
    row(tr("Volumes"), tr("%1 train, %2 test, %3 scrolls").arg(fp->trainVolumes).arg(fp->testVolumes).arg(fp->scrolls));
    row(tr("Shapes"), shapes.join(", ") + tr("  (min %1, max %2)").arg(formatShape(fp->minShape), formatShape(fp->maxShape)));
    row(tr("Intensity"), tr("0.5 %: %1 · median %2 · 99.5 %: %3 · mean %4 ± %5")
                             .arg(fp->intensityP005, 0, 'f', 1).arg(fp->intensityP50, 0, 'f', 1)
                             .arg(fp->intensityP995, 0, 'f', 1).arg(fp->intensityMean, 0, 'f', 1)
                             .arg(fp->intensityStd, 0, 'f', 1));
    row(tr("Labels"), tr("background %1 · surface %2 · unlabeled %3")
                          .arg(formatPercent(fp->fractionBackground), formatPercent(fp->fractionSurface),
                               formatPercent(fp->fractionUnlabeled)));
    row(tr("Train voxels"), QString::number(static_cast<double>(fp->totalTrainVoxels), 'g', 4));
    html += "</table>";
  } else {
    html += tr("<p>The fingerprint is not computed yet.</p>");
  }
  if (!d.report.errors.empty())
    html += tr("<p style='color:#a00000'><b>%1 error(s)</b> — fix them before training (see the Data page).</p>")
                .arg(d.report.errors.size());
  if (!d.report.warnings.empty())
    html += tr("<p style='color:#8a5a00'>%1 warning(s) (see the Data page).</p>").arg(d.report.warnings.size());
  summary_->setText(html);
  Q_EMIT completeChanged();
}

}  // namespace vwb::ui

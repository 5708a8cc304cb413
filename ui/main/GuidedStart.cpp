#include "ui/main/GuidedStart.h"

#include <QHBoxLayout>
#include <QLabel>

namespace vwb::ui {

namespace {
struct StepInfo {
  const char* page;
  const char* text;
};
const StepInfo kSteps[] = {{"data", QT_TRANSLATE_NOOP("GuidedStart", "Open a dataset (or the demo)")},
                           {"wizard", QT_TRANSLATE_NOOP("GuidedStart", "Review the plan")},
                           {"monitor", QT_TRANSLATE_NOOP("GuidedStart", "Train")},
                           {"predictions", QT_TRANSLATE_NOOP("GuidedStart", "Inspect the predictions")},
                           {"export", QT_TRANSLATE_NOOP("GuidedStart", "Export a submission")}};
}  // namespace

GuidedStart::GuidedStart(QWidget* parent) : QWidget(parent), done_(StepCount, false) {
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 2, 0, 2);
  row->addWidget(new QLabel(tr("<b>Start here:</b>")));
  for (int i = 0; i < StepCount; ++i) {
    auto* label = new QLabel;
    label->setTextFormat(Qt::RichText);
    label->setObjectName(QString("guide-%1").arg(kSteps[i].page));
    connect(label, &QLabel::linkActivated, this, &GuidedStart::pageRequested);
    labels_.push_back(label);
    row->addWidget(label);
    if (i + 1 < StepCount) row->addWidget(new QLabel(QString::fromUtf8("→")));
    refresh(static_cast<Step>(i));
  }
  row->addStretch();
}

void GuidedStart::setDone(Step step, bool done) {
  done_[step] = done;
  refresh(step);
}

QString GuidedStart::stepText(Step step) const { return labels_[step]->text(); }

void GuidedStart::refresh(Step step) {
  const QString box = done_[step] ? QString::fromUtf8("☑") : QString::fromUtf8("☐");
  labels_[step]->setText(QString("%1 %2. <a href=\"%3\">%4</a>")
                             .arg(box).arg(step + 1).arg(kSteps[step].page, tr(kSteps[step].text)));
  labels_[step]->setToolTip(done_[step] ? tr("Done") : tr("Go to the %1 page").arg(kSteps[step].page));
}

}  // namespace vwb::ui

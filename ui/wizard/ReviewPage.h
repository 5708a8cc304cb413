#pragma once
// Wizard page 5: the resolved config exactly as it will be written to config.json, where the
// run goes, the time estimate (from the probe's measured step time), and Start.
#include <QWizardPage>

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace vwb::ui {
class SetupWizard;

class ReviewPage : public QWizardPage {
  Q_OBJECT
 public:
  explicit ReviewPage(SetupWizard& wizard);
  void initializePage() override;
  bool isComplete() const override;
  bool validatePage() override;  // refuses a run directory that already holds a run

  QString configText() const;
  QString estimateText() const;
  QLineEdit* runDirEdit() const { return runDir_; }

 private:
  void refresh();
  SetupWizard& wizard_;
  QLineEdit* runDir_;
  QLabel* summary_;
  QLabel* estimate_;
  QPlainTextEdit* json_;
  QLabel* error_;
};

}  // namespace vwb::ui

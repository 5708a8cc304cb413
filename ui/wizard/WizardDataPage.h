#pragma once
// Wizard page 1: the dataset and its fingerprint (volumes, shapes, intensities, label fractions).
#include <QWizardPage>

class QLabel;

namespace vwb::ui {
class SetupWizard;

class WizardDataPage : public QWizardPage {
  Q_OBJECT
 public:
  explicit WizardDataPage(SetupWizard& wizard);
  void initializePage() override;
  bool isComplete() const override;
  QString summaryText() const;  // what the page shows, for tests

 private:
  void refresh();
  SetupWizard& wizard_;
  QLabel* summary_;
};

}  // namespace vwb::ui

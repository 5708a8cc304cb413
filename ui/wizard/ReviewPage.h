#pragma once
// Wizard page 5: the resolved config exactly as it will be written to config.json, where the
// run goes, the time estimate (from the probe's measured step time), and Start. A plan for
// assumed (what-if) hardware cannot start here: the page says so before Start is pressed and
// offers the config JSON and a `vwb train` command line to run it on that machine.
#include <QWizardPage>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

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
  QString blockerText() const;
  QString commandLine() const;  // `vwb train --config FILE --data DIR --out DIR`
  // Writes the config JSON to path (temp file + rename); false and errorText() on failure.
  bool saveConfig(const QString& path);
  QString errorText() const;
  QPushButton* saveButton() const { return save_; }
  QPushButton* copyButton() const { return copy_; }

 private:
  void refresh();
  SetupWizard& wizard_;
  QLineEdit* runDir_;
  QLabel* summary_;
  QLabel* estimate_;
  QPlainTextEdit* json_;
  QLabel* error_;
  QLabel* blocker_;
  QLineEdit* command_;
  QPushButton* save_;
  QPushButton* copy_;
  QString savedConfig_;  // where the config was last saved; the command line names it
};

}  // namespace vwb::ui

#pragma once
// Tune and Apply, as reactions: the "Tuning (validation volumes, no network)" group. Tune runs
// vwb tune's search (Engine::tunePostProcessing) on the run's validation volumes' saved
// probabilities and shows the validation mean before (the controls' setting) and after (the
// search's), both named; Apply makes the tuned setting the controls' and re-scores, which
// rewrites the test masks and the run's post-processing record. A cancel keeps nothing.
#include <optional>
#include <string>
#include <vector>

#include <QObject>
#include <QString>

#include "ui/common/Engine.h"
#include "ui/inspect/PredictionTasks.h"

class QGroupBox;
class QLabel;
class QPushButton;

namespace vwb::inspect {

class PredictionsPage;

class TuneReaction : public QObject {
  Q_OBJECT

 public:
  // Child object names: tune, applyTuned, tuneResult.
  TuneReaction(PredictionsPage& page, PredictionTasks& tasks);

  QGroupBox* group() const { return group_; }
  const std::optional<ui::PostProcessTuning>& lastTuning() const { return tuning_; }

  void trigger();  // Tune
  void apply();    // Apply: the tuned setting becomes the run's (controls, masks, record)
  // The probabilities the tuning was made on are gone (a new prediction, another run).
  void forget();

 Q_SIGNALS:
  void finished();  // lastTuning() holds a new result

 private:
  std::vector<std::string> tuneIds(QString* why) const;
  void show();
  bool applicable() const;

  PredictionsPage& page_;
  PredictionTasks& tasks_;
  QGroupBox* group_ = nullptr;
  QPushButton* tune_ = nullptr;
  QPushButton* apply_ = nullptr;
  QLabel* result_ = nullptr;
  std::optional<ui::PostProcessTuning> tuning_, pending_;
  QString note_;  // which volumes the tuning used
  bool applied_ = false;
};

}  // namespace vwb::inspect

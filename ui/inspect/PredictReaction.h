#pragma once
// Predict, as a reaction (ParaView's pqReaction): the "Prediction (runs the network)" group —
// the ensemble, overlap, TTA, tiles per batch, which volumes (validation and test by default,
// training on request), the estimate (tiles, and time from the rate measured here) and the
// Predict button — and what pressing it does: the question before (or, without a measured rate,
// in the first seconds of) a long prediction, the prediction itself through the engine's one
// predict-into-a-folder, then the scoring of what it predicted.
#include <memory>
#include <string>
#include <vector>

#include <QObject>

#include "engine/infer/Predictor.h"
#include "ui/inspect/EnsembleChooser.h"
#include "ui/inspect/PredictionEstimate.h"
#include "ui/inspect/PredictionSession.h"
#include "ui/inspect/PredictionTasks.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace vwb::inspect {

class PredictionsPage;

class PredictReaction : public QObject {
  Q_OBJECT

 public:
  // Child object names: overlap, tta, predict, estimate, predictValidation, predictTest,
  // predictTraining, and the ensemble's (EnsembleChooser); the dialog longPrediction.
  PredictReaction(PredictionsPage& page, PredictionTasks& tasks);

  QGroupBox* group() const { return group_; }
  EnsembleChooser& ensemble() const { return *ensemble_; }
  PredictOptions options() const;
  std::vector<std::string> idsToPredict() const;
  QString estimateText() const;
  double longPredictionSeconds() const { return longPredictionSeconds_; }
  void setLongPredictionSeconds(double seconds) { longPredictionSeconds_ = seconds; }

  // Predicts the chosen volumes; asks first when the measured rate says it takes longer than
  // longPredictionSeconds().
  void trigger();
  // The volume counts on the check boxes and the estimate for what is chosen now.
  void updateEstimate();

 private:
  void startNow();
  void askAboutLongPrediction(double seconds, int64_t tiles, double rate, bool running);
  void showReading(const MeteredPredictor::Reading& reading, bool rateKnownBefore);
  std::vector<Shape3> shapesOf(const std::vector<std::string>& ids) const;
  void taskEnded(PredictionTasks::Kind kind, bool cancelled);

  PredictionsPage& page_;
  PredictionTasks& tasks_;
  QGroupBox* group_ = nullptr;
  EnsembleChooser* ensemble_ = nullptr;
  QDoubleSpinBox* overlap_ = nullptr;
  QComboBox* tta_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QCheckBox* predictValidation_ = nullptr;
  QCheckBox* predictTest_ = nullptr;
  QCheckBox* predictTraining_ = nullptr;
  QPushButton* predictButton_ = nullptr;
  QLabel* estimate_ = nullptr;
  double longPredictionSeconds_ = 10 * 60;
  bool restartCheaper_ = false;  // a running prediction was stopped for the cheaper setting
  std::vector<InspectRow> pendingRows_;
  PostProcessOptions pendingPost_;
};

}  // namespace vwb::inspect

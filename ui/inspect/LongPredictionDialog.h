#pragma once
// The question asked before a prediction that would take long (the tile rate measured here says
// so), or in its first seconds when no rate was known: its time, the cheaper setting's time, and
// the choice — go on, the cheaper setting, or stop. Not modal: the page keeps painting (and, when
// already predicting, predicting). Object names: longPrediction; its buttons predictAnyway (or
// goOn while predicting), cheaper (only when a cheaper setting saves tiles) and stop.
#include <QMessageBox>
#include <QString>
#include <cstdint>

#include "engine/infer/Predictor.h"

namespace vwb::inspect {

class LongPredictionDialog : public QMessageBox {
  Q_OBJECT
 public:
  enum class Choice { Go, Cheaper, Stop };
  struct Facts {
    QString volumes;                 // "3 volume(s)"
    PredictOptions options, cheaper;
    double seconds = 0;              // the whole prediction, or what is left of it when running
    int64_t tiles = 0, cheaperTiles = 0;
    double tilesPerSecond = 0;
    bool running = false;            // asked while predicting
  };

  LongPredictionDialog(const Facts& facts, QWidget* parent);

 Q_SIGNALS:
  void chosen(vwb::inspect::LongPredictionDialog::Choice choice);
};

}  // namespace vwb::inspect

#include "ui/inspect/LongPredictionDialog.h"

#include <QLocale>
#include <QPushButton>

#include "ui/common/Format.h"
#include "ui/inspect/PredictionEstimate.h"

namespace vwb::inspect {

LongPredictionDialog::LongPredictionDialog(const Facts& f, QWidget* parent) : QMessageBox(parent) {
  setObjectName("longPrediction");
  setIcon(QMessageBox::Warning);
  setWindowTitle(tr("A long prediction"));
  const QString tiles = QLocale().toString(qlonglong(f.tiles));
  setText(f.running ? tr("This prediction will take about <b>%1</b> more: %2 with %3, %4 tiles at %5 tiles/s "
                         "measured in its first seconds.")
                          .arg(ui::formatDuration(f.seconds), f.volumes, describePredictOptions(f.options), tiles)
                          .arg(f.tilesPerSecond, 0, 'f', 2)
                    : tr("Predicting %1 with %2 takes about <b>%3</b>: %4 tiles at %5 tiles/s measured on this machine.")
                          .arg(f.volumes, describePredictOptions(f.options), ui::formatDuration(f.seconds), tiles)
                          .arg(f.tilesPerSecond, 0, 'f', 2));
  const bool offerCheaper = f.cheaperTiles > 0 && f.cheaperTiles < f.tiles && f.tilesPerSecond > 0;
  if (offerCheaper)
    setInformativeText(tr("With %1 it takes about %2 (%3 tiles).")
                           .arg(describePredictOptions(f.cheaper), ui::formatDuration(f.cheaperTiles / f.tilesPerSecond),
                                QLocale().toString(qlonglong(f.cheaperTiles))));
  QPushButton* go = addButton(f.running ? tr("Go on") : tr("Predict anyway"), QMessageBox::AcceptRole);
  go->setObjectName(f.running ? "goOn" : "predictAnyway");
  QPushButton* cheaper = nullptr;
  if (offerCheaper) {
    const QString setting = describePredictOptions(f.cheaper);
    cheaper = addButton(f.running ? tr("Stop, use %1").arg(setting) : tr("Use %1").arg(setting), QMessageBox::ActionRole);
    cheaper->setObjectName("cheaper");
    setDefaultButton(cheaper);
  }
  QPushButton* stop = addButton(f.running ? tr("Stop") : tr("Cancel"), QMessageBox::RejectRole);
  stop->setObjectName("stop");
  setAttribute(Qt::WA_DeleteOnClose);
  connect(this, &QMessageBox::buttonClicked, this, [this, go, cheaper](QAbstractButton* b) {
    setObjectName(QString());  // closing: a new question may follow
    Q_EMIT chosen(b == go ? Choice::Go : b == cheaper ? Choice::Cheaper : Choice::Stop);
  });
}

}  // namespace vwb::inspect

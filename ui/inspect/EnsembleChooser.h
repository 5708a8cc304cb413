#pragma once
// The models of a prediction: a table of checkpoints with their weights (several are an
// ensemble, weights normalized to sum 1: vwb predict --checkpoint A B --weights …) and a chooser
// of the run's checkpoints (best.pt, last.pt, ema.pt) or any other file (another run's).
#include <string>
#include <vector>

#include <QString>
#include <QWidget>

class QComboBox;
class QPushButton;
class QTableWidget;

namespace vwb::inspect {

class EnsembleChooser : public QWidget {
  Q_OBJECT

 public:
  // One model of the prediction.
  struct Member {
    QString checkpoint;
    double weight = 1;
  };

  // Child object names: models (a weight spin box in each row's second cell), modelChoice,
  // addModel, removeModel.
  explicit EnsembleChooser(QWidget* parent = nullptr);

  // The run whose checkpoints are offered and named by file name alone. Another run than the
  // last one: its own checkpoint (best.pt, else last.pt) replaces the models; the same run keeps
  // them unless one of them is gone.
  void showRun(const QString& runDir);
  void setCheckpoint(const QString& path);  // one model: the plain prediction
  void addCheckpoint(const QString& path, double weight = 1);
  std::vector<Member> members() const;
  std::vector<std::string> checkpoints() const;

 Q_SIGNALS:
  void changed();                        // models added or removed (other tiles and rate)
  void message(const QString& text);     // e.g. "already in the ensemble"

 private:
  void fillChoice();
  void addChosen();
  void removeChosen();

  QString runDir_, lastRun_;
  QTableWidget* models_ = nullptr;
  QComboBox* choice_ = nullptr;
  QPushButton* remove_ = nullptr;
};

}  // namespace vwb::inspect

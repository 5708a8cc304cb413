#pragma once
// One QCustomPlot of the monitor with what every plot needs: a title, hover read-out of the
// nearest point of any graph, and a context menu to save it as PNG or PDF.
#include <qcustomplot.h>

namespace vwb::ui {

class MonitorPlot : public QCustomPlot {
  Q_OBJECT
 public:
  MonitorPlot(const QString& title, const QString& xLabel, const QString& yLabel,
              QWidget* parent = nullptr);

  QCPGraph* addLine(const QString& name, const QColor& color, Qt::PenStyle style = Qt::SolidLine,
                    double width = 1.5);
  // Saves by suffix (.png or .pdf); returns false when QCustomPlot could not write the file.
  bool saveTo(const QString& path);
  const QString& title() const { return title_; }
  // The hover text for the graph point nearest to a pixel position (empty when none is near).
  QString hoverText(const QPoint& pos) const;

 protected:
  void mouseMoveEvent(QMouseEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  QString title_;
};

}  // namespace vwb::ui

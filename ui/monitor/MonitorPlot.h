#pragma once
// One QCustomPlot of the monitor with what every plot needs: a title, hover read-out of the
// nearest point of any graph (the exact recorded values, whatever the drawing decimated), a
// context menu to save it as PNG or PDF, and zoom and pan as QCustomPlot users expect: the
// wheel over an axis zooms that axis, over the plot both; a drag pans (on an axis, that axis);
// a double-click gives the view back to the data. Once zoomed or panned the plot keeps its
// view while new points arrive (followsData() is false) until that double-click.
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
  // True while the axes follow the data (the page rescales them on each refresh); false once the
  // user zoomed or panned, until a double-click or resetView().
  bool followsData() const { return followsData_; }
  void resetView();

 Q_SIGNALS:
  void viewReset();  // the axes follow the data again: the page rescales them

 protected:
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  QString title_;
  bool followsData_ = true;
  static constexpr int kMaxMarkers = 150;
  QHash<QCPGraph*, QCPScatterStyle> markers_;  // the marker each graph asked for
  QPoint pressPos_;
};

}  // namespace vwb::ui

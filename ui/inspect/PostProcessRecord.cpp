#include "ui/inspect/PostProcessRecord.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include "engine/core/Error.h"

namespace vwb::inspect {

QString postProcessRecordPath(const QString& maskDir) { return QDir(maskDir).filePath("postprocess.json"); }

void writePostProcessRecord(const QString& path, const PostProcessOptions& o) {
  const QJsonObject j{{"threshold", o.threshold},
                      {"border_voxels", o.borderVoxels},
                      {"min_component_voxels", qint64(o.minComponentVoxels)},
                      {"closing_radius", o.closingRadius},
                      {"fill_holes", o.fillHoles},
                      {"plug_holes", o.plugHoles},
                      {"sheet_closing_radius", o.sheetClosingRadius}};
  QSaveFile f(path);
  const QByteArray bytes = QJsonDocument(j).toJson();
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
    throw Error(path.toStdString() + ": cannot write the post-processing record: " + f.errorString().toStdString());
}

std::optional<PostProcessOptions> readPostProcessRecord(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return std::nullopt;
  const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
  if (!j.contains("threshold")) return std::nullopt;
  PostProcessOptions o;
  o.threshold = j.value("threshold").toDouble();
  o.borderVoxels = j.value("border_voxels").toInt();
  o.minComponentVoxels = j.value("min_component_voxels").toInteger();
  o.closingRadius = j.value("closing_radius").toInt();
  o.fillHoles = j.value("fill_holes").toBool();
  o.plugHoles = j.value("plug_holes").toBool();                  // absent in older records: off
  o.sheetClosingRadius = j.value("sheet_closing_radius").toInt();
  return o;
}

QString describePostProcess(const PostProcessOptions& o) {
  QStringList parts{QObject::tr("threshold %1").arg(o.threshold, 0, 'f', 2)};
  // In pipeline order (PostProcess.h).
  if (o.plugHoles) parts << QObject::tr("1-voxel holes plugged");
  if (o.closingRadius > 0) parts << QObject::tr("closing %1").arg(o.closingRadius);
  if (o.sheetClosingRadius > 0) parts << QObject::tr("sheet closing %1").arg(o.sheetClosingRadius);
  if (o.fillHoles) parts << QObject::tr("holes filled");
  if (o.borderVoxels > 0) parts << QObject::tr("border %1").arg(o.borderVoxels);
  if (o.minComponentVoxels > 0) parts << QObject::tr("components ≥ %1 voxels").arg(o.minComponentVoxels);
  return parts.join(QString::fromUtf8(" · "));
}

bool samePostProcess(const PostProcessOptions& a, const PostProcessOptions& b) {
  return a.threshold == b.threshold && a.borderVoxels == b.borderVoxels && a.minComponentVoxels == b.minComponentVoxels &&
         a.closingRadius == b.closingRadius && a.fillHoles == b.fillHoles && a.plugHoles == b.plugHoles &&
         a.sheetClosingRadius == b.sheetClosingRadius;
}

}  // namespace vwb::inspect

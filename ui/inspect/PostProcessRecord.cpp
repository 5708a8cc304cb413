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
                      {"fill_holes", o.fillHoles}};
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
  return o;
}

QString describePostProcess(const PostProcessOptions& o) {
  QStringList parts{QObject::tr("threshold %1").arg(o.threshold, 0, 'f', 2)};
  if (o.borderVoxels > 0) parts << QObject::tr("border %1").arg(o.borderVoxels);
  if (o.minComponentVoxels > 0) parts << QObject::tr("components ≥ %1 voxels").arg(o.minComponentVoxels);
  if (o.closingRadius > 0) parts << QObject::tr("closing %1").arg(o.closingRadius);
  if (o.fillHoles) parts << QObject::tr("holes filled");
  return parts.join(QString::fromUtf8(" · "));
}

}  // namespace vwb::inspect

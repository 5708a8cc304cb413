#include "ui/inspect/PostProcessRecord.h"

#include <QDir>
#include <QFileInfo>

#include "engine/core/Error.h"
#include "engine/infer/PostProcessRecord.h"
#include "engine/run/RunFolder.h"

namespace vwb::inspect {

QString postProcessRecordPath(const QString& maskDir) {
  return QString::fromStdString(RunFolder::postProcessRecordIn(maskDir.toStdString()));
}

void writePostProcessRecord(const QString& path, const PostProcessOptions& o) {
  writePostProcessFile(path.toStdString(), o);
}

std::optional<PostProcessOptions> readPostProcessRecord(const QString& path) {
  if (!QFileInfo::exists(path)) return std::nullopt;
  try {
    return readPostProcessFile(path.toStdString());
  } catch (const Error& e) {
    // A record this build cannot read is shown as none (the defaults), and said where it is.
    qWarning("%s", e.what());
    return std::nullopt;
  }
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

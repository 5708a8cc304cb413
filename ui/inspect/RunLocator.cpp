#include "ui/inspect/RunLocator.h"

#include <QDir>
#include <QFileInfo>

#include "engine/run/RunFolder.h"
#include "ui/common/WorkbenchContext.h"

namespace vwb::inspect {

std::string probabilityDir(const std::string& runDir) { return RunFolder(runDir).probabilities(); }
std::string maskDir(const std::string& runDir) { return RunFolder(runDir).predictions(); }

QString inspectedRunDir(const ui::WorkbenchContext& context) {
  if (!context.runDir().isEmpty()) return context.runDir();
  if (context.demoDir().isEmpty()) return {};
  // The demo's runs are the demo dataset's: another dataset's pages must not show (and score
  // against their own volumes) predictions of the demo.
  if (context.hasDataset() && !context.demoDatasetOpen()) return {};
  const QDir runs(context.demoDir() + "/runs");
  for (const QFileInfo& run : runs.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time)) {
    const RunFolder dir(run.absoluteFilePath().toStdString());
    auto exists = [](const std::string& p) { return QFileInfo::exists(QString::fromStdString(p)); };
    if (exists(dir.bestCheckpoint()) || exists(dir.lastCheckpoint()) || exists(dir.probabilities()))
      return run.absoluteFilePath();
  }
  return {};
}

}  // namespace vwb::inspect

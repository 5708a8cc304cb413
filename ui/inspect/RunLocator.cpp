#include "ui/inspect/RunLocator.h"

#include <QDir>
#include <QFileInfo>

#include "ui/common/WorkbenchContext.h"

namespace vwb::inspect {

std::string probabilityDir(const std::string& runDir) { return runDir + "/predictions/prob"; }
std::string maskDir(const std::string& runDir) { return runDir + "/predictions"; }

QString inspectedRunDir(const ui::WorkbenchContext& context) {
  if (!context.runDir().isEmpty()) return context.runDir();
  if (context.demoDir().isEmpty()) return {};
  // The demo's runs are the demo dataset's: another dataset's pages must not show (and score
  // against their own volumes) predictions of the demo.
  if (context.hasDataset() && !context.demoDatasetOpen()) return {};
  const QDir runs(context.demoDir() + "/runs");
  for (const QFileInfo& run : runs.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time)) {
    const QDir dir(run.absoluteFilePath());
    if (dir.exists("checkpoints/best.pt") || dir.exists("checkpoints/last.pt") || dir.exists("predictions/prob"))
      return run.absoluteFilePath();
  }
  return {};
}

}  // namespace vwb::inspect

#include "ui/inspect/RunSplit.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "engine/run/RunFolder.h"
#include "engine/train/ValidationSplit.h"
#include "ui/common/Engine.h"

namespace vwb::inspect {

VolumeRole RunSplit::role(const std::string& id, bool labeled) const {
  if (!labeled) return VolumeRole::Test;
  const auto it = roles.find(id);
  return it == roles.end() ? VolumeRole::Unknown : it->second;
}

QString roleName(VolumeRole role) {
  switch (role) {
    case VolumeRole::Train: return QObject::tr("train");
    case VolumeRole::Validation: return QObject::tr("validation");
    case VolumeRole::Test: return QObject::tr("test");
    case VolumeRole::Unknown: break;
  }
  return QObject::tr("labeled");
}

RunSplit readRunSplit(const QString& runDir, ui::Engine& engine, const Dataset* dataset) {
  RunSplit split;
  if (runDir.isEmpty()) return split;
  const std::string splitPath = RunFolder(runDir.toStdString()).split();
  if (QFileInfo::exists(QString::fromStdString(splitPath))) {
    try {
      const RecordedSplit recorded = readSplitFile(splitPath);  // the engine's codec (vwb-split/1)
      for (const std::string& id : recorded.train) split.roles[id] = VolumeRole::Train;
      for (const std::string& id : recorded.validation) split.roles[id] = VolumeRole::Validation;
      split.source = QObject::tr("the run's split.json");
      return split;
    } catch (const std::exception& e) {
      qWarning("%s", e.what());  // named; the split is worked out from the run's config below
    }
  }
  if (!dataset || !QFile::exists(QString::fromStdString(RunFolder(runDir.toStdString()).config()))) return split;
  try {
    // The trainer splits the labelled volumes in the dataset's order by scroll id.
    const TrainConfig config = engine.loadRunConfig(runDir.toStdString());
    std::vector<std::string> ids, scrolls;
    for (const VolumeEntry& v : dataset->train)
      if (!v.labelPath.empty()) {
        ids.push_back(v.id);
        scrolls.push_back(v.scrollId);
      }
    std::vector<bool> validation(ids.size(), false);
    for (int i : engine.validationVolumes(scrolls, config.validation.fraction, config.run.seed, nullptr))
      if (i >= 0 && i < int(ids.size())) validation[i] = true;
    for (size_t i = 0; i < ids.size(); ++i) split.roles[ids[i]] = validation[i] ? VolumeRole::Validation : VolumeRole::Train;
    split.source = QObject::tr("the run's config.json (seed and validation fraction)");
  } catch (const std::exception&) {
    split.roles.clear();  // unreadable config: the roles stay unknown rather than guessed
  }
  return split;
}

}  // namespace vwb::inspect

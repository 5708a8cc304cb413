#pragma once
// The roles the trainer gave a run's volumes, so that a score is read for what it is: a
// validation score estimates the test score, a training volume's score does not. Read from the
// run folder's split.json (the trainer writes it); for runs from before split.json,
// recomputed from the run's config.json with the trainer's own split function; else unknown.
#include <QString>
#include <map>
#include <string>

#include "engine/data/Dataset.h"

namespace vwb::ui {
class Engine;
}

namespace vwb::inspect {

enum class VolumeRole { Unknown, Train, Validation, Test };

struct RunSplit {
  std::map<std::string, VolumeRole> roles;  // labelled volumes; test volumes are Test by themselves
  QString source;                           // where the roles come from; empty when unknown
  bool known() const { return !source.isEmpty(); }
  VolumeRole role(const std::string& id, bool labeled) const;
};

RunSplit readRunSplit(const QString& runDir, ui::Engine& engine, const Dataset* dataset);
QString roleName(VolumeRole role);

}  // namespace vwb::inspect

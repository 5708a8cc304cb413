#pragma once
// Where a run keeps its predictions, and which run the inspection pages look at.
//
// Which run the inspection pages look at: the context's run directory when one is open,
// otherwise (the demo) the most recently modified run under DEMO/runs that has a checkpoint or
// saved predictions. Empty when there is none.
#include <QString>
#include <string>

namespace vwb::ui {
class WorkbenchContext;
}

namespace vwb::inspect {

QString inspectedRunDir(const ui::WorkbenchContext& context);

// RUN/predictions/probabilities/<id>.tif (uint8, round(p*255)) and RUN/predictions/masks/<id>.tif
// (0/1 test masks: exactly the submission's input).
std::string probabilityDir(const std::string& runDir);
std::string maskDir(const std::string& runDir);

}  // namespace vwb::inspect

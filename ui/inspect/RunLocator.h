#pragma once
// Where a run keeps its predictions, and which run the inspection pages look at.
//
// Which run the inspection pages look at: the context's run directory when one is open,
// otherwise, when no dataset or the demo's is open, the most recently modified run under DEMO/runs
// that has a checkpoint or saved predictions. Empty when there is none.
#include <QString>
#include <string>

namespace vwb::ui {
class WorkbenchContext;
}

namespace vwb::inspect {

QString inspectedRunDir(const ui::WorkbenchContext& context);

// The layout `vwb predict --out RUN/predictions` writes: RUN/predictions/prob/<id>.tif
// (uint8, round(p*255)) and RUN/predictions/<id>.tif (0/1 masks, the submission's input).
std::string probabilityDir(const std::string& runDir);
std::string maskDir(const std::string& runDir);

}  // namespace vwb::inspect

#pragma once
// The plan's explanations of what the user forced. The planner answers a forced choice with
// "Set with --batch."; someone who changed a value wants to see what they chose beside what the
// plan itself would choose, and why. explainUserChoices rewrites those reasons (decision steps
// and reason lines) and takes the strategies' speed-ups and "recommended" mark from the plan
// made without the forced choices, so that forcing a strategy does not relabel it. The wizard
// shows the result, `vwb plan` prints it. Pure: no files, no torch, no Qt.
#include <optional>

#include "engine/plan/Planner.h"

namespace vwb {

// chosen: the plan with the user's constraints; planners: the same inputs without them.
Plan explainUserChoices(Plan chosen, const Plan& planners);
// When the planner cannot plan without the forced choices (a patch given because the volumes are
// below its smallest): the choices are named with the planner's reason.
Plan explainUserChoices(Plan chosen, const std::string& whyNoPlan);

// The constraints without what the user forced (strategy, patch, batch per device, AMP): the
// planner's own plan to explain against. nullopt when nothing was forced (nothing to explain).
std::optional<UserConstraints> withoutUserChoices(const UserConstraints& constraints);

}  // namespace vwb

#pragma once
// The planner answers a forced choice with "Set with --batch."; a user who changed a value wants
// to see what they chose beside what the plan itself would choose, and why. explainUserChoices
// rewrites those reasons (decision steps and reason lines) in the plan the wizard shows, and
// takes the strategies' speed-ups and "recommended" mark from the unconstrained plan, so that
// forcing a strategy does not relabel it. Pure: no widgets, no engine calls.
#include "engine/plan/Planner.h"

namespace vwb::ui {

// chosen: the plan with the user's constraints; planners: the same inputs without them.
Plan explainUserChoices(Plan chosen, const Plan& planners);

}  // namespace vwb::ui

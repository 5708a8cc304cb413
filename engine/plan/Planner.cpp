// makePlan(): validates its inputs and runs the decision tree's steps in order. Pure: it reads
// only its arguments (no hardware probing, no files), so every branch is unit-tested.
#include "engine/plan/Planner.h"

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/plan/detail/PlanContext.h"

namespace vwb {

Plan makePlan(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint,
              const UserConstraints& constraints) {
  if (hardware.nodes < 1) throw Error(fmt::format("--nodes {}: must be at least 1", hardware.nodes));
  if (constraints.memorySafetyMargin < 0 || constraints.memorySafetyMargin >= 0.9)
    throw Error(fmt::format("memory safety margin {}: must be in [0, 0.9)",
                            constraints.memorySafetyMargin));
  if (constraints.model.levels < 1 || constraints.model.levels > 7)
    throw Error(fmt::format("--levels {}: must be between 1 and 7", constraints.model.levels));

  Plan plan;
  plan.hardware = hardware.summary();
  plan.config.model = constraints.model;
  if (constraints.epochs) plan.config.run.epochs = *constraints.epochs;
  plan_detail::PlanContext ctx{hardware, fingerprint, constraints, plan};
  plan_detail::chooseStrategy(ctx);
  plan_detail::chooseDataCache(ctx);
  plan_detail::chooseAmp(ctx);
  plan_detail::choosePatchAndBatch(ctx);
  plan_detail::chooseWorkers(ctx);
  plan_detail::chooseValidation(ctx);
  return plan;
}

}  // namespace vwb

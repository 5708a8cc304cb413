#include "engine/plan/PlanExplainer.h"

namespace vwb {

namespace {
struct Forced {
  const char* marker;    // what the planner writes for a forced value
  const char* question;  // the decision step that carries it
};
const Forced kForced[] = {{"Set with --strategy.", "Which strategy?"},
                          {"Set with --amp.", "Mixed precision?"},
                          {"Set with --patch.", "Patch size?"},
                          {"Set with --batch.", "Batch per device?"}};

const DecisionStep* findStep(const Plan& plan, const std::string& question) {
  for (const DecisionStep& s : plan.path)
    if (s.question == question) return &s;
  return nullptr;
}

bool replace(std::string& text, const std::string& marker, const std::string& with) {
  const auto at = text.find(marker);
  if (at == std::string::npos) return false;
  text.replace(at, marker.size(), with);
  return true;
}
}  // namespace

Plan explainUserChoices(Plan chosen, const Plan& planners) {
  for (const Forced& f : kForced) {
    const DecisionStep* mine = findStep(chosen, f.question);
    const DecisionStep* theirs = findStep(planners, f.question);
    if (!mine || !theirs || mine->reason.find(f.marker) == std::string::npos) continue;
    const std::string text =
        mine->answer == theirs->answer
            ? "You chose " + mine->answer + ", as the plan would (" + theirs->reason + ")."
            : "You chose " + mine->answer + "; the plan would choose " + theirs->answer + " (" + theirs->reason + ").";
    for (DecisionStep& s : chosen.path)
      if (s.question == f.question) replace(s.reason, f.marker, text);
    for (std::string& r : chosen.reasons) replace(r, f.marker, text);
  }
  for (StrategyOption& o : chosen.options) {
    o.recommended = false;
    for (const StrategyOption& p : planners.options)
      if (p.kind == o.kind) {
        o.estimatedSpeedup = p.estimatedSpeedup;
        o.recommended = p.recommended;
      }
  }
  return chosen;
}

Plan explainUserChoices(Plan chosen, const std::string& whyNoPlan) {
  for (const Forced& f : kForced) {
    const DecisionStep* mine = findStep(chosen, f.question);
    if (!mine || mine->reason.find(f.marker) == std::string::npos) continue;
    const std::string text = "You chose " + mine->answer + "; the plan alone has no choice here (" + whyNoPlan + ").";
    for (DecisionStep& s : chosen.path)
      if (s.question == f.question) replace(s.reason, f.marker, text);
    for (std::string& r : chosen.reasons) replace(r, f.marker, text);
  }
  return chosen;
}

std::optional<UserConstraints> withoutUserChoices(const UserConstraints& constraints) {
  if (!constraints.strategy && !constraints.patch && !constraints.batchPerDevice && !constraints.amp) return std::nullopt;
  UserConstraints own = constraints;
  own.strategy.reset();
  own.patch.reset();
  own.batchPerDevice.reset();
  own.amp.reset();
  return own;
}

}  // namespace vwb

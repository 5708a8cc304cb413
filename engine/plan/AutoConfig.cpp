#include "engine/plan/AutoConfig.h"

#include "engine/core/Error.h"
#include "engine/plan/PlanExplainer.h"

namespace vwb {

DatasetPlanFacts readDatasetPlanFacts(const std::string& dataDir, const std::string& cacheDir, ProgressSink* progress) {
  DatasetPlanFacts facts;
  facts.dataset = scanDataset(dataDir, false, progress);
  if (facts.dataset.report.ok()) facts.fingerprint = loadOrComputeFingerprint(facts.dataset, progress);
  facts.cache = cacheReadiness(facts.dataset, cacheDir);
  return facts;
}

Plan planTraining(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint, const CacheReadiness& cache,
                  UserConstraints constraints, const PlanFunction& planner) {
  const PlanFunction plan = planner ? planner : PlanFunction(makePlan);
  constraints.cachedFraction = cache.cachedFraction;
  constraints.diskFreeBytes = cache.diskFreeBytes;
  Plan chosen = plan(hardware, fingerprint, constraints);
  const auto own = withoutUserChoices(constraints);
  if (!own) return chosen;
  Plan planners;
  try {
    planners = plan(hardware, fingerprint, *own);
  } catch (const Error& e) {  // e.g. volumes below the smallest patch the planner picks itself
    return explainUserChoices(std::move(chosen), std::string(e.what()));
  }
  return explainUserChoices(std::move(chosen), planners);
}

Plan resolveAutoConfig(TrainConfig& c, HardwareInventory hardware, const ChosenSettings& chosen, ProgressSink* progress) {
  UserConstraints uc;
  uc.model = c.model;
  if (chosen.patch) uc.patch = c.patch;
  if (chosen.batch) uc.batchPerDevice = c.batchPerDevice;
  if (chosen.amp) uc.amp = c.amp;
  uc.augment = c.augment;  // loader threads are sized for the preset the run will use
  uc.epochs = c.epochs;
  uc.master = c.master;
  hardware.nodes = c.nnodes;
  DatasetFingerprint fingerprint;
  CacheReadiness cache;
  if (!c.dataDir.empty()) {
    // Whether training must preprocess first, as vwb plan says it. A broken dataset is reported
    // with every problem by the training's own scan.
    DatasetPlanFacts facts = readDatasetPlanFacts(c.dataDir, c.cacheDir, progress);
    fingerprint = std::move(facts.fingerprint);
    cache = facts.cache;
  }
  Plan plan = planTraining(hardware, fingerprint, cache, uc);
  c.strategy = plan.config.strategy;
  c.devices = plan.config.devices;
  c.patch = plan.config.patch;
  c.batchPerDevice = plan.config.batchPerDevice;
  c.amp = plan.config.amp;
  if (!chosen.workers) c.workers = plan.config.workers;
  if (!chosen.prefetch) c.prefetch = plan.config.prefetch;
  if (!chosen.threads) c.threads = plan.config.threads;
  return plan;
}

}  // namespace vwb

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
  if (chosen.patch) uc.patch = c.data.patch;
  if (chosen.batch) uc.batchPerDevice = c.data.batchPerDevice;
  if (chosen.amp) uc.amp = c.run.amp;
  uc.augment = c.data.augment;  // loader threads are sized for the preset the run will use
  uc.epochs = c.run.epochs;
  uc.master = c.distributed.master;
  hardware.nodes = c.distributed.nnodes;
  DatasetFingerprint fingerprint;
  CacheReadiness cache;
  if (!c.run.dataDir.empty()) {
    // Whether training must preprocess first, as vwb plan says it. A broken dataset is reported
    // with every problem by the training's own scan.
    DatasetPlanFacts facts = readDatasetPlanFacts(c.run.dataDir, c.data.cacheDir, progress);
    fingerprint = std::move(facts.fingerprint);
    cache = facts.cache;
  }
  Plan plan = planTraining(hardware, fingerprint, cache, uc);
  c.distributed.strategy = plan.config.distributed.strategy;
  c.distributed.devices = plan.config.distributed.devices;
  c.data.patch = plan.config.data.patch;
  c.data.batchPerDevice = plan.config.data.batchPerDevice;
  c.run.amp = plan.config.run.amp;
  if (!chosen.workers) c.data.workers = plan.config.data.workers;
  if (!chosen.prefetch) c.data.prefetch = plan.config.data.prefetch;
  if (!chosen.threads) c.run.threads = plan.config.run.threads;
  return plan;
}

}  // namespace vwb

#pragma once
// Resolving an automatic training config: the stage service vwb and the workbench share (dataset
// scan → fingerprint → the chunk cache's state → plan). `vwb plan`, `vwb train --strategy auto`
// and the setup wizard all plan through planTraining, so a plan, its cache facts and its
// explanations cannot differ between the front ends.
#include <functional>
#include <string>

#include "engine/core/Reporting.h"
#include "engine/data/Dataset.h"
#include "engine/data/DatasetPreprocessing.h"
#include "engine/data/Fingerprint.h"
#include "engine/plan/HardwareInventory.h"
#include "engine/plan/Planner.h"
#include "engine/train/TrainConfig.h"

namespace vwb {

// What a plan needs of a dataset besides the hardware.
struct DatasetPlanFacts {
  Dataset dataset;                  // the scan (its report lists any problem)
  DatasetFingerprint fingerprint;   // the default (empty) one when the dataset has errors
  CacheReadiness cache;             // the chunk cache's state where training will find it
};

// Scans `dataDir`, loads (or computes) its fingerprint and reads the chunk cache's state
// (`cacheDir` "" = where training finds it). A dataset with errors gets no fingerprint: its
// report says why (vwb plan refuses it; training's own scan reports every problem).
DatasetPlanFacts readDatasetPlanFacts(const std::string& dataDir, const std::string& cacheDir,
                                      ProgressSink* progress = nullptr);

// The planner itself: makePlan, or a front end's own door to it (the workbench's Engine, whose
// tests hand it a fake).
using PlanFunction = std::function<Plan(const HardwareInventory&, const DatasetFingerprint&, const UserConstraints&)>;

// The one planning call: the cache's state into the constraints (the planner reads no files),
// the plan, and — when the user forced strategy, patch, batch or AMP — those reasons explained
// against the plan the planner would make on its own (PlanExplainer.h). `planner` empty: makePlan.
Plan planTraining(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint,
                  const CacheReadiness& cache, UserConstraints constraints, const PlanFunction& planner = {});

// Which of a config's settings the user chose (flags, a --config file, a resumed run): the
// automatic config keeps them.
struct ChosenSettings {
  bool patch = false, batch = false, amp = false, workers = false, prefetch = false, threads = false;
  static ChosenSettings all() { return {true, true, true, true, true, true}; }
};

// --strategy auto: plans for `hardware` (its `nodes` set from the config) and the config's
// dataset, and sets strategy, devices, patch, batch per device and AMP, and workers, prefetch and
// threads wherever they were not chosen. Returns the plan (summary, reasons and warnings for the
// log). A config without a dataset is planned with an empty fingerprint.
Plan resolveAutoConfig(TrainConfig& config, HardwareInventory hardware, const ChosenSettings& chosen,
                       ProgressSink* progress = nullptr);

}  // namespace vwb

#pragma once
// Private (torch): before any collective, the nodes of a multi-node run compare the settings that
// must be the same everywhere. A mismatch otherwise ends in a collective of different sizes
// (Gloo aborts the process with SIGABRT: "85340 vs 21520") or, worse, trains silently with
// different patches. Every node publishes its settings in the rendezvous store, reads everyone's,
// and all stop with the same message naming each difference.
#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/distributed/Rendezvous.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainingSource.h"

namespace vwb::dist {

// What must agree: the model, patch, batch, accumulation, schedule, precision, seed, strategy,
// bucket size, local ranks per node and a digest of the training data (ids, shapes, intensity
// histograms and label-1 positions, so that copies of one dataset on different machines agree).
// source may be null (benchmarks): the digest then says "no data".
nlohmann::json agreedSettings(const TrainConfig& config, int localRanks, const TrainingSource* source,
                              const std::vector<int>& trainVolumes);

// "node 1 has patch=32, node 0 has patch=16; ..." for every difference; empty when they agree.
std::string describeDisagreement(const std::vector<nlohmann::json>& nodes);

// Publishes `mine`, waits (at most `timeout`) for every node's, throws vwb::Error naming every
// difference. Node 0 (the store's host) returns only after every node has read, so that nobody
// loses the store mid-check.
void checkNodesAgree(c10d::Store& store, const RendezvousSpec& spec, const nlohmann::json& mine,
                     std::chrono::milliseconds timeout);

}  // namespace vwb::dist

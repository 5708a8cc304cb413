// Plan as JSON (for the wizard and `vwb plan --json`) and as text (for the terminal).
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/model/ModelConfigJson.h"
#include "engine/plan/Planner.h"
#include "engine/plan/detail/Format.h"

namespace vwb {
using plan_detail::gib;

std::string Plan::toJson() const {
  nlohmann::json j;
  j["hardware"] = hardware;
  j["strategy"] = strategyName(config.distributed.strategy);
  j["devices"] = config.distributed.devices;
  j["nnodes"] = config.distributed.nnodes;
  j["master"] = config.distributed.master;
  j["world_size"] = worldSize;
  j["patch"] = config.data.patch;
  j["batch_per_device"] = config.data.batchPerDevice;
  j["global_batch"] = globalBatch;
  j["amp"] = ampName(config.run.amp);
  j["workers"] = config.data.workers;
  j["augment"] = augmentPresetName(config.data.augment);
  j["prefetch"] = config.data.prefetch;
  j["threads"] = config.run.threads;
  j["model"] = modelConfigToJson(config.model);  // what vwb train --config reads (arch included)
  auto& path = j["path"] = nlohmann::json::array();
  for (const auto& s : this->path)
    path.push_back({{"question", s.question}, {"answer", s.answer}, {"reason", s.reason}});
  auto& opts = j["options"] = nlohmann::json::array();
  for (const auto& o : options)
    opts.push_back({{"strategy", strategyName(o.kind)},
                    {"recommended", o.recommended},
                    {"summary", o.summary},
                    {"cost", o.cost},
                    {"estimated_speedup", o.estimatedSpeedup}});
  auto& b = j["budgets"] = nlohmann::json::array();
  for (const auto& d : budgets)
    b.push_back({{"device", d.device},
                 {"capacity_bytes", d.capacityBytes},
                 {"estimated_bytes", d.estimatedBytes}});
  j["reasons"] = reasons;
  j["warnings"] = warnings;
  j["cache_disk_bytes"] = cacheDiskBytes;
  j["preprocess_seconds"] = preprocessSeconds;
  return j.dump(2);
}

std::string Plan::summary() const {
  std::ostringstream s;
  s << strategyName(config.distributed.strategy) << " on";
  for (const auto& d : config.distributed.devices) s << " " << d;
  if (config.distributed.nnodes > 1) s << " x " << config.distributed.nnodes << " nodes";
  s << ", patch " << config.data.patch << "^3, batch " << config.data.batchPerDevice << " per device (global "
    << globalBatch << "), amp " << ampName(config.run.amp) << ", augment " << augmentPresetName(config.data.augment)
    << ", " << config.data.workers
    << " workers, prefetch " << config.data.prefetch << ", " << config.run.threads << " threads";
  return s.str();
}

std::string Plan::toText() const {
  std::ostringstream s;
  s << "Hardware: " << hardware << "\n\n";
  s << "Plan: " << summary() << "\n\n";
  s << "Decision path:\n";
  for (const auto& p : path)
    s << "  ? " << p.question << "\n    -> " << p.answer << "\n       why: " << p.reason << "\n";
  s << "\nOptions:\n";
  for (const auto& o : options)
    s << "  " << (o.recommended ? "* " : "  ") << strategyName(o.kind) << " (~"
      << o.estimatedSpeedup << "x): " << o.summary << "\n      cost: " << o.cost << "\n";
  s << "\nMemory per device (estimate):\n";
  for (const auto& b : budgets)
    s << "  " << b.device << ": " << gib(b.estimatedBytes) << " of " << gib(b.capacityBytes) << "\n";
  if (!warnings.empty()) {
    s << "\nWarnings:\n";
    for (const auto& w : warnings) s << "  ! " << w << "\n";
  }
  return s.str();
}

}  // namespace vwb

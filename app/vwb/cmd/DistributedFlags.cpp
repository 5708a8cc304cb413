#include "cmd/DistributedFlags.h"

#include "engine/distributed/Rendezvous.h"
#include "engine/plan/AutoConfig.h"

namespace vwb::cli {

std::shared_ptr<DistributedFlags> addDistributedFlags(CLI::App& cmd) {
  auto f = std::make_shared<DistributedFlags>();
  cmd.add_option("--strategy", f->strategy,
                 "auto|single|dp|ddp (auto: the planner's choice for this machine)");
  cmd.add_option("--devices", f->devices,
                 "Devices: cpu, cpu:N (N CPU ranks), or cuda:0 cuda:1 ... (overrides --device)");
  cmd.add_option("--nnodes", f->nnodes, "Processes (machines) taking part; each runs its devices as threads");
  cmd.add_option("--node-rank", f->nodeRank, "This process's index, 0..nnodes-1 (0 binds the store)");
  cmd.add_option("--master", f->master,
                 "HOST:PORT of node 0's rendezvous store; node 0 listens on exactly that address");
  cmd.add_option("--bind", f->bind,
                 "Address node 0's store listens on instead of the --master host (e.g. 0.0.0.0 behind NAT)");
  cmd.add_option("--rendezvous-secret-file", f->secretFile,
                 "File holding the run's shared secret (same on every node; else VWB_RENDEZVOUS_SECRET, "
                 "else ~/.config/vesuvius-workbench/rendezvous-secret, made on first use)");
  cmd.add_option("--timeout", f->timeoutSec, "Seconds after which a silent rank aborts every rank");
  cmd.add_option("--bucket-mb", f->bucketMb, "DDP gradient bucket cap in MB (default 25)");
  return f;
}

int nodeRankOf(const DistributedFlags& f, const CLI::App& cmd) {
  if (cmd.count("--node-rank") > 0) return f.nodeRank;
  TrainConfig probe;
  dist::applyTorchrunEnvironment(probe, cmd.count("--nnodes") > 0, true);
  return probe.distributed.nodeRank;
}

void applyDistributedFlags(const DistributedFlags& f, const CLI::App& cmd, TrainConfig& c,
                           LogSink* log) {
  auto given = [&](const char* name) { return cmd.count(name) > 0; };
  if (given("--strategy")) c.distributed.strategy = parseStrategy(f.strategy);
  if (given("--devices")) c.distributed.devices = f.devices;
  if (given("--nnodes")) c.distributed.nnodes = f.nnodes;
  if (given("--node-rank")) c.distributed.nodeRank = f.nodeRank;
  if (given("--master")) c.distributed.master = f.master;
  if (given("--bind")) c.distributed.bind = f.bind;
  if (given("--timeout")) c.distributed.timeoutSec = f.timeoutSec;
  if (given("--rendezvous-secret-file")) c.distributed.rendezvousSecretFile = f.secretFile;
  if (given("--bucket-mb")) c.distributed.bucketMb = f.bucketMb;
  dist::applyTorchrunEnvironment(c, given("--nnodes"), given("--master"));

  // auto: the planner decides what the user left open. Everything in a --config file (e.g. from
  // `vwb plan --json`) or a resumed run counts as chosen; the plan then only picks strategy and
  // devices where none were given.
  bool devicesChosen = given("--devices") || given("--device") || c.run.resume;
  if (c.distributed.strategy == StrategyKind::Auto && !devicesChosen) {
    const bool fromFile = given("--config") || c.run.resume;
    auto chosen = [&](const char* flag) { return fromFile || given(flag); };
    ChosenSettings settings{chosen("--patch"),   chosen("--batch"),    chosen("--amp"),
                            chosen("--workers"), chosen("--prefetch"), chosen("--threads")};
    const Plan plan = resolveAutoConfig(c, detectHardware(), settings);
    if (log) {
      log->log(LogLevel::Info, "--strategy auto: " + plan.summary() + " (" + plan.hardware + ")");
      for (const auto& r : plan.reasons) log->log(LogLevel::Info, "  " + r);
      for (const auto& w : plan.warnings) log->log(LogLevel::Warning, "  " + w);
    }
  }
  // Validate the rendezvous settings now, before any data is read.
  if (c.distributed.nnodes > 1) dist::rendezvousFromConfig(c.distributed, 1);
}

}  // namespace vwb::cli

#pragma once
// Where the ranks of a run are and how they meet. A "node" is one vwb process; it runs its local
// devices as rank threads. Global rank = nodeRank * localRanks + localRank (every node has the same
// number of local ranks). Node 0's rendezvous store listens on exactly the master address (or
// --bind), not on every interface; nothing else listens.
#include <cstdlib>
#include <functional>
#include <string>

#include "engine/train/TrainConfig.h"

namespace vwb::dist {

struct MasterAddress {
  std::string host;
  int port = 0;
};

// "host:port" or "[v6]:port"; throws vwb::Error naming the text.
MasterAddress parseMaster(const std::string& text);

struct RendezvousSpec {
  int nnodes = 1, nodeRank = 0;
  int localRanks = 1;
  MasterAddress master;  // only used when nnodes > 1
  std::string bindHost;  // node 0's store listens on exactly this address (empty: master.host)
  int timeoutSec = 60;
  // The run's shared secret (RendezvousAuth.h), only resolved when nnodes > 1.
  std::string secret, secretSource;

  int worldSize() const { return nnodes * localRanks; }
  int globalRank(int localRank) const { return nodeRank * localRanks + localRank; }
  bool multiProcess() const { return nnodes > 1; }
};

// Validates nnodes/nodeRank/master/timeout from the config and, for several nodes, finds the
// rendezvous secret (RendezvousAuth.h; throws vwb::Error).
RendezvousSpec rendezvousFromConfig(const DistributedSettings& settings, int localRanks);

using EnvLookup = std::function<const char*(const char*)>;

// The torchrun contract: MASTER_ADDR, MASTER_PORT, WORLD_SIZE (processes), RANK (this process),
// LOCAL_WORLD_SIZE or NPROC_PER_NODE and LOCAL_RANK. With one process per node, that process runs
// all --devices as threads; with several per node, each process takes device LOCAL_RANK (cuda) or
// one CPU rank. Command-line values win over the environment: only unset fields are filled.
// Returns true when any variable was used.
bool applyTorchrunEnvironment(TrainConfig& config, bool nnodesGiven, bool masterGiven,
                              const EnvLookup& env = [](const char* k) { return std::getenv(k); });

}  // namespace vwb::dist

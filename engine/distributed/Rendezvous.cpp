#include "engine/distributed/Rendezvous.h"

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/distributed/RendezvousAuth.h"

namespace vwb::dist {
namespace {

int parseInt(const std::string& text, const std::string& what) {
  size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != text.size()) throw Error(what + " '" + text + "': not an integer");
  return v;
}

}  // namespace

MasterAddress parseMaster(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw Error("--master '" + text + "': expected HOST:PORT (e.g. 10.0.0.1:29500)");
  MasterAddress m;
  m.host = text.substr(0, colon);
  if (m.host.front() == '[' && m.host.back() == ']') m.host = m.host.substr(1, m.host.size() - 2);
  m.port = parseInt(text.substr(colon + 1), "--master port");
  if (m.port < 1 || m.port > 65535) throw Error("--master '" + text + "': port must be 1..65535");
  return m;
}

RendezvousSpec rendezvousFromConfig(const DistributedSettings& d, int localRanks) {
  RendezvousSpec r;
  if (d.nnodes < 1 || d.nnodes > 256)
    throw Error(fmt::format("--nnodes {}: must be 1..256 (the rendezvous store serves at most 256 processes)", d.nnodes));
  if (d.nodeRank < 0 || d.nodeRank >= d.nnodes)
    throw Error(fmt::format("--node-rank {}: must be in [0, {})", d.nodeRank, d.nnodes));
  if (d.timeoutSec < 1 || d.timeoutSec > 3600)
    throw Error(fmt::format("--timeout {}: must be 1..3600 seconds", d.timeoutSec));
  if (localRanks < 1) throw Error("no local devices to run ranks on");
  r.nnodes = d.nnodes;
  r.nodeRank = d.nodeRank;
  r.localRanks = localRanks;
  r.timeoutSec = d.timeoutSec;
  if (d.nnodes > 1) {
    if (d.master.empty())
      throw Error(fmt::format("--nnodes {} needs --master HOST:PORT (or MASTER_ADDR and MASTER_PORT)",
                              d.nnodes));
    r.master = parseMaster(d.master);
    r.bindHost = d.bind;
    if (r.bindHost.size() > 2 && r.bindHost.front() == '[' && r.bindHost.back() == ']')
      r.bindHost = r.bindHost.substr(1, r.bindHost.size() - 2);
#ifdef VWB_ONE_MACHINE  // the Kaggle kit's build: no TCP rendezvous (Communicator.cpp), no secret to read
    throw Error(fmt::format("--nnodes {}: this build (the Kaggle kit) trains on the devices of one machine only",
                            d.nnodes));
#else
    const RendezvousSecret secret =
        resolveRendezvousSecret(d.rendezvousSecretFile, [](const char* k) { return std::getenv(k); });
    r.secret = secret.bytes;
    r.secretSource = secret.source;
#endif
  }
  return r;
}

bool applyTorchrunEnvironment(TrainConfig& c, bool nnodesGiven, bool masterGiven,
                              const EnvLookup& env) {
  auto get = [&](const char* k) -> std::string {
    const char* v = env(k);
    return v ? std::string(v) : std::string();
  };
  bool used = false;
  std::string addr = get("MASTER_ADDR"), port = get("MASTER_PORT");
  if (!masterGiven && !addr.empty() && !port.empty()) {
    c.distributed.master = addr + ":" + port;
    used = true;
  }
  std::string world = get("WORLD_SIZE"), rank = get("RANK");
  if (!nnodesGiven && !world.empty()) {
    int processes = parseInt(world, "WORLD_SIZE");
    int index = rank.empty() ? 0 : parseInt(rank, "RANK");
    if (processes < 1 || index < 0 || index >= processes)
      throw Error(fmt::format("RANK {} / WORLD_SIZE {}: RANK must be in [0, WORLD_SIZE)", index,
                              processes));
    c.distributed.nnodes = processes;
    c.distributed.nodeRank = index;
    used = true;
    std::string perNode = get("LOCAL_WORLD_SIZE");
    if (perNode.empty()) perNode = get("NPROC_PER_NODE");
    int local = perNode.empty() ? 1 : parseInt(perNode, "LOCAL_WORLD_SIZE");
    if (local > 1) {
      // Several processes per node: each drives one device, the one of its LOCAL_RANK.
      std::string lr = get("LOCAL_RANK");
      int localRank = lr.empty() ? index % local : parseInt(lr, "LOCAL_RANK");
      bool cuda = !c.distributed.devices.empty() && c.distributed.devices.front().rfind("cuda", 0) == 0;
      c.distributed.devices = {cuda ? fmt::format("cuda:{}", localRank) : std::string("cpu")};
    }
  }
  return used;
}

}  // namespace vwb::dist

// Inventory text/JSON, this machine's CPU and RAM (from /proc), and assumed GPU inventories.
#include "engine/plan/HardwareInventory.h"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/plan/detail/Format.h"
#include "engine/plan/detail/HostProbe.h"

namespace vwb {
using plan_detail::gib;
using plan_detail::kGiB;

namespace plan_detail {

HostInfo probeHost() {
  HostInfo h;
  h.cores = int(std::thread::hardware_concurrency());
  if (h.cores < 1) h.cores = 1;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t value = 0;
  std::string unit;
  while (meminfo >> key >> value >> unit) {
    if (key == "MemTotal:") h.ramBytes = value * 1024;
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (h.name.empty() && line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) h.name = line.substr(colon + 2);
    }
    if (!h.name.empty()) break;
  }
  const CpuFeatures& cpu = hostCpuFeatures();
  h.bf16 = cpu.nativeBf16();
  h.isa = cpu.isa();
  return h;
}

}  // namespace plan_detail

std::string HardwareInventory::toJson() const {
  nlohmann::json j;
  j["assumed"] = assumed;
  j["nodes"] = nodes;
  j["cpu"] = {{"cores", cpuCores}, {"ram_bytes", ramBytes}, {"bf16", cpuBf16},
              {"isa", cpuVectorIsaName(cpuIsa)}, {"name", cpuName}};
  j["gpus"] = nlohmann::json::array();
  for (const auto& g : gpus) {
    j["gpus"].push_back({{"index", g.index},
                         {"name", g.name},
                         {"total_bytes", g.totalBytes},
                         {"free_bytes", g.freeBytes},
                         {"compute_capability", std::to_string(g.computeMajor) + "." +
                                                    std::to_string(g.computeMinor)},
                         {"peer_access_to_all", g.peerAccessToAll}});
  }
  return j.dump(2);
}

std::string HardwareInventory::summary() const {
  std::ostringstream s;
  if (gpus.empty()) {
    s << "no GPU";
  } else {
    // Group identical devices: "2x Tesla T4 (15.0 GiB, sm75)".
    std::map<std::string, int> groups;
    std::vector<std::string> order;
    for (const auto& g : gpus) {
      std::string key = g.name + " (" + gib(g.totalBytes) + ", sm" +
                        std::to_string(g.computeMajor) + std::to_string(g.computeMinor) + ")";
      if (groups[key]++ == 0) order.push_back(key);
    }
    for (size_t i = 0; i < order.size(); ++i)
      s << (i ? ", " : "") << groups[order[i]] << "x " << order[i];
  }
  s << "; " << cpuCores << " CPU cores (" << cpuVectorIsaName(cpuIsa) << "); " << gib(ramBytes) << " RAM";
  if (nodes > 1) s << "; per node, " << nodes << " nodes";
  if (assumed) s << " (assumed)";
  return s.str();
}

HardwareInventory assumeGpus(const std::string& spec) {
  HardwareInventory host;
  auto h = plan_detail::probeHost();
  host.cpuCores = h.cores;
  host.ramBytes = h.ramBytes;
  host.cpuBf16 = h.bf16;
  host.cpuIsa = h.isa;
  host.cpuName = h.name;
  return assumeGpus(spec, host);
}

HardwareInventory assumeGpus(const std::string& spec, const HardwareInventory& host) {
  struct Preset {
    const char* name;
    double gib;
    int major, minor;
  };
  // Usable memory as the driver reports it, not the marketing figure.
  static const Preset presets[] = {{"T4", 15.0, 7, 5},    {"P100", 16.0, 6, 0},
                                   {"V100", 16.0, 7, 0},  {"A10", 22.0, 8, 6},
                                   {"L4", 22.0, 8, 9},    {"A100", 80.0, 8, 0},
                                   {"H100", 80.0, 9, 0},  {"A100-40", 40.0, 8, 0}};
  HardwareInventory inv = host;
  inv.gpus.clear();
  inv.assumed = true;
  if (spec == "0" || spec == "none") return inv;

  static const std::regex sized(R"((\d+)\s*[xX]\s*(\d+(?:\.\d+)?)\s*(GB|GiB|G|gb|g)(?::sm(\d)(\d))?)");
  static const std::regex named(R"((\d+)\s*[xX]\s*([A-Za-z0-9-]+))");
  std::smatch m;
  int count = 0;
  GpuInfo g;
  if (std::regex_match(spec, m, sized)) {
    count = std::stoi(m[1]);
    double size = std::stod(m[2]);
    g.totalBytes = int64_t(size * double(kGiB));
    g.computeMajor = m[4].matched ? std::stoi(m[4]) : 7;
    g.computeMinor = m[5].matched ? std::stoi(m[5]) : 5;
    g.name = "assumed GPU";
  } else if (std::regex_match(spec, m, named)) {
    count = std::stoi(m[1]);
    std::string model = m[2];
    const Preset* found = nullptr;
    for (const auto& p : presets)
      if (model == p.name) found = &p;
    if (!found)
      throw Error("--assume-gpus '" + spec + "': unknown GPU model '" + model +
                  "' (known: T4 P100 V100 A10 L4 A100 A100-40 H100, or give a size: 2x16GB)");
    g.totalBytes = int64_t(found->gib * double(kGiB));
    g.computeMajor = found->major;
    g.computeMinor = found->minor;
    g.name = std::string("assumed ") + found->name;
  } else {
    throw Error("--assume-gpus '" + spec +
                "': expected COUNTxSIZE[:smXY] (2x16GB, 8x80GB:sm80) or COUNTxMODEL (2xT4)");
  }
  if (count < 0 || count > 64)
    throw Error("--assume-gpus '" + spec + "': GPU count must be between 0 and 64");
  if (g.totalBytes <= 0) throw Error("--assume-gpus '" + spec + "': memory size must be positive");
  g.freeBytes = g.totalBytes;
  g.peerAccessToAll = count > 1;
  for (int i = 0; i < count; ++i) {
    g.index = i;
    inv.gpus.push_back(g);
  }
  return inv;
}

}  // namespace vwb

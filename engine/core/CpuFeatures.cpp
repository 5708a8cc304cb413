#include "engine/core/CpuFeatures.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace vwb {

CpuVectorIsa CpuFeatures::isa() const {
  if (amx) return CpuVectorIsa::Amx;
  if (avx512 && avx512Bf16) return CpuVectorIsa::Avx512Bf16;
  if (avx512) return CpuVectorIsa::Avx512;
  if (avx2) return CpuVectorIsa::Avx2;
  return CpuVectorIsa::Baseline;
}

const char* cpuVectorIsaName(CpuVectorIsa isa) {
  switch (isa) {
    case CpuVectorIsa::Baseline: return "SSE/AVX (no AVX2)";
    case CpuVectorIsa::Avx2: return "AVX2";
    case CpuVectorIsa::Avx512: return "AVX-512";
    case CpuVectorIsa::Avx512Bf16: return "AVX-512 + bf16";
    case CpuVectorIsa::Amx: return "AMX";
  }
  return "?";
}

CpuFeatures parseCpuFlags(const std::string& flags) {
  std::string text = flags;
  auto colon = text.find(':');
  if (colon != std::string::npos) text = text.substr(colon + 1);
  std::set<std::string> has;
  std::istringstream words(text);
  for (std::string w; words >> w;) has.insert(w);
  auto all = [&](std::initializer_list<const char*> names) {
    for (const char* n : names)
      if (!has.count(n)) return false;
    return true;
  };
  CpuFeatures f;
  f.avx2 = all({"avx2", "fma"});
  f.avx512 = f.avx2 && all({"avx512f", "avx512bw", "avx512vl", "avx512dq"});
  f.avx512Bf16 = f.avx512 && has.count("avx512_bf16");
  f.amx = f.avx512 && all({"amx_bf16", "amx_tile"});
  return f;
}

namespace {
CpuFeatures readHostCpu() {
  if (const char* fake = std::getenv("VWB_CPU_FLAGS")) return parseCpuFlags(fake);
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("flags", 0) == 0) return parseCpuFlags(line);
  return {};
}
}  // namespace

const CpuFeatures& hostCpuFeatures() {
  static const CpuFeatures features = readHostCpu();
  return features;
}

}  // namespace vwb

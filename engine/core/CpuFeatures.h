#pragma once
// The CPU's vector ISA as far as training cares: which oneDNN kernels can run natively. bf16 is
// only worth using with avx512_bf16 or AMX; without them oneDNN emulates it many times slower
// than fp32. Parsing is a pure function so that tests can fake any CPU.
#include <string>

namespace vwb {

enum class CpuVectorIsa { Baseline, Avx2, Avx512, Avx512Bf16, Amx };

struct CpuFeatures {
  bool avx2 = false;
  bool avx512 = false;      // avx512f + avx512bw + avx512vl (oneDNN's avx512_core)
  bool avx512Bf16 = false;  // avx512_bf16
  bool amx = false;         // amx_bf16 + amx_tile
  CpuVectorIsa isa() const;
  bool nativeBf16() const { return avx512Bf16 || amx; }
};

// "AVX2", "AVX-512", "AVX-512 + bf16", "AMX", "SSE/AVX (no AVX2)".
const char* cpuVectorIsaName(CpuVectorIsa isa);

// From the "flags" line of /proc/cpuinfo (the "flags : " prefix is optional).
CpuFeatures parseCpuFlags(const std::string& flags);
// This machine's CPU (first processor in /proc/cpuinfo), read once. VWB_CPU_FLAGS, when set,
// replaces the flags read (for tests of the decisions that depend on them).
const CpuFeatures& hostCpuFeatures();

}  // namespace vwb

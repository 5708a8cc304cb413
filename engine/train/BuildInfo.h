#pragma once
// What this binary was built with and what it runs on (vwb --version, the workbench's About box):
// LibTorch, CUDA, NCCL, oneDNN and the CPU's vector ISA. Torch-free header.
#include <string>

namespace vwb {

struct BuildInfo {
  std::string torchVersion;   // LibTorch the engine was compiled against, e.g. "2.6.0"
  bool cuda = false;          // CUDA code paths compiled in (VWB_WITH_CUDA)
  bool nccl = false;          // NCCL process groups compiled in (VWB_WITH_NCCL)
  std::string cudaVersion;    // CUDA runtime compiled against, e.g. "12.4"; empty without CUDA
  std::string ncclVersion;    // NCCL loaded at run time, e.g. "2.22.3"; empty when not loaded
  int cudaDevices = 0;        // visible now
  std::string atenCpuCapability;  // ATen's kernel dispatch level, e.g. "AVX512"
  std::string onednnVersion;  // e.g. "v3.6.2"
  std::string onednnIsa;      // the ISA oneDNN's kernels use, e.g. "avx512_core_amx"
  std::string cpuIsa;         // this CPU, e.g. "AVX-512 + bf16" (engine/core/CpuFeatures.h)

  std::string summary() const;  // a few lines, one fact per line
};

BuildInfo buildInfo();

}  // namespace vwb

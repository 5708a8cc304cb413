#include "engine/train/BuildInfo.h"

#include <dlfcn.h>

#include <ATen/Version.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>

#include "engine/core/CpuFeatures.h"

#ifdef VWB_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace vwb {
namespace {

// oneDNN's dnnl_cpu_isa_t values (v2.x and v3.x); looked up at run time because LibTorch does
// not ship oneDNN's headers. Debian links the shared libdnnl; builds that link oneDNN statically
// may hide the symbol, and then only ATen's dispatch level is known.
std::string onednnIsaName(unsigned v) {
  switch (v) {
    case 0x0: return "default (no JIT)";
    case 0x1: return "sse41";
    case 0x3: return "avx";
    case 0x7: return "avx2";
    case 0x407: return "avx2_vnni";
    case 0xc07: return "avx2_vnni_2";
    case 0x27: return "avx512_core";
    case 0x67: return "avx512_core_vnni";
    case 0xe7: return "avx512_core_bf16";
    case 0x1ef: return "avx512_core_fp16";
    case 0x3e7: return "avx512_core_amx";
    case 0xfef: return "avx512_core_amx";
    case 0x1fef: return "avx512_core_amx_fp16";
  }
  std::ostringstream s;
  s << "isa 0x" << std::hex << v;
  return s.str();
}

std::string onednnIsa() {
  using Fn = int (*)();
  if (auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "dnnl_get_effective_cpu_isa")))
    return onednnIsaName(unsigned(fn()));
  return "";
}

// NCCL is a dependency of libtorch_cuda, loaded with it; its version is asked at run time so
// that it names the library actually loaded, not a header.
std::string ncclRuntimeVersion() {
  using Fn = int (*)(int*);
  auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "ncclGetVersion"));
  int v = 0;
  if (!fn || fn(&v) != 0 || v <= 0) return "";
  // NCCL >= 2.9 encodes major*10000 + minor*100 + patch, older ones major*1000 + minor*100 + patch.
  int major = v >= 10000 ? v / 10000 : v / 1000, minor = (v >= 10000 ? v % 10000 : v % 1000) / 100;
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(v % 100);
}

std::string afterLabel(const std::string& text, const std::string& label) {
  auto at = text.find(label);
  if (at == std::string::npos) return "";
  auto end = text.find('\n', at);
  std::string value = text.substr(at + label.size(), end == std::string::npos ? end : end - at - label.size());
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
  return value;
}

}  // namespace

BuildInfo buildInfo() {
  BuildInfo b;
  b.torchVersion = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                   "." + std::to_string(TORCH_VERSION_PATCH);
#ifdef VWB_WITH_CUDA
  b.cuda = true;
  b.cudaVersion = std::to_string(CUDART_VERSION / 1000) + "." + std::to_string(CUDART_VERSION % 1000 / 10);
  b.cudaDevices = int(torch::cuda::device_count());
#endif
#ifdef VWB_WITH_NCCL
  b.nccl = true;
#endif
  b.ncclVersion = ncclRuntimeVersion();
  b.atenCpuCapability = afterLabel(at::show_config(), "CPU capability usage: ");
  b.onednnVersion = afterLabel(at::get_mkldnn_version(), " v");
  if (!b.onednnVersion.empty()) b.onednnVersion = "v" + b.onednnVersion.substr(0, b.onednnVersion.find(' '));
  b.onednnIsa = onednnIsa();
  b.cpuIsa = cpuVectorIsaName(hostCpuFeatures().isa());
  return b;
}

std::string BuildInfo::summary() const {
  std::ostringstream s;
  s << "LibTorch " << torchVersion << "\n";
  s << "CUDA " << (cuda ? "on (runtime " + cudaVersion + ", " + std::to_string(cudaDevices) +
                              " device(s) visible)"
                        : std::string("off"))
    << "\n";
  s << "NCCL " << (nccl ? "on" + (ncclVersion.empty() ? std::string() : " (" + ncclVersion + ")")
                        : std::string("off"))
    << "\n";
  s << "oneDNN " << (onednnVersion.empty() ? "?" : onednnVersion) << ", ISA "
    << (onednnIsa.empty() ? "not reported by this LibTorch" : onednnIsa)
    << "; ATen CPU kernels " << (atenCpuCapability.empty() ? "?" : atenCpuCapability) << "\n";
  s << "CPU vector ISA " << cpuIsa;
  return s.str();
}

}  // namespace vwb

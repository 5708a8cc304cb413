# Which GPU code paths this build compiles, decided from the LibTorch that find_package(Torch)
# found: VWB_WITH_CUDA when it has CUDA, VWB_WITH_NCCL when its c10d has ProcessGroupNCCL.
# Both become compile definitions for the whole engine, so every module agrees. Prints the
# versions found (CI greps them as proof that the CUDA build ran).

set(_vwb_torch_has_cuda OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(_vwb_torch_has_cuda ON)
endif()
option(VWB_WITH_CUDA "Compile the CUDA code paths (needs a CUDA LibTorch)" ${_vwb_torch_has_cuda})
if(VWB_WITH_CUDA AND NOT _vwb_torch_has_cuda)
  message(FATAL_ERROR "VWB_WITH_CUDA=ON but the LibTorch found (${TORCH_INSTALL_PREFIX}) has no CUDA")
endif()

# NCCL: torch's config defines USE_C10D_NCCL for its users when c10d was built with it.
set(_vwb_torch_has_nccl OFF)
if(VWB_WITH_CUDA AND EXISTS "${TORCH_INSTALL_PREFIX}/include/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp")
  set(_vwb_torch_has_nccl ON)
endif()
option(VWB_WITH_NCCL "Compile the NCCL process groups (needs a CUDA LibTorch with c10d NCCL)" ${_vwb_torch_has_nccl})
option(VWB_REQUIRE_CUDA "Fail configuration unless CUDA and NCCL paths are compiled" OFF)
if(VWB_REQUIRE_CUDA AND NOT (VWB_WITH_CUDA AND VWB_WITH_NCCL))
  message(FATAL_ERROR "VWB_REQUIRE_CUDA: LibTorch at ${TORCH_INSTALL_PREFIX} gives CUDA=${VWB_WITH_CUDA} NCCL=${VWB_WITH_NCCL}")
endif()

if(VWB_WITH_CUDA)
  add_compile_definitions(VWB_WITH_CUDA=1)
  # Debian 13: nvcc 12.4's host compiler is g++-13 while the C++ compiler is g++-14. The CUDA
  # language then lists gcc-13's library folder as an implicit link directory, and linking a
  # target with it picks gcc-13's older libstdc++ (undefined __cxa_call_terminate@CXXABI_1.3.15).
  # Drop every gcc library folder of another major version than the C++ compiler's.
  if(CMAKE_CUDA_COMPILER_LOADED OR CMAKE_CUDA_IMPLICIT_LINK_DIRECTORIES)
    string(REGEX MATCH "^[0-9]+" _vwb_cxx_major "${CMAKE_CXX_COMPILER_VERSION}")
    foreach(dir IN LISTS CMAKE_CUDA_IMPLICIT_LINK_DIRECTORIES)
      if(dir MATCHES "/gcc/[^/]+/([0-9]+)/?$" AND NOT CMAKE_MATCH_1 STREQUAL _vwb_cxx_major)
        list(REMOVE_ITEM CMAKE_CUDA_IMPLICIT_LINK_DIRECTORIES "${dir}")
        message(STATUS "vwb: dropped ${dir} from the CUDA implicit link directories (C++ is gcc ${_vwb_cxx_major})")
      endif()
    endforeach()
  endif()
endif()
if(VWB_WITH_NCCL)
  add_compile_definitions(VWB_WITH_NCCL=1)
endif()

# Versions, for the log.
set(_vwb_cuda_version "${CUDAToolkit_VERSION}")
if(NOT _vwb_cuda_version)
  set(_vwb_cuda_version "${CUDA_VERSION}")
endif()
set(_vwb_nccl_version "")
if(VWB_WITH_NCCL)
  file(GLOB _vwb_nccl_hints "${TORCH_INSTALL_PREFIX}/../nvidia/nccl/include" "${TORCH_INSTALL_PREFIX}/../nvidia/*/include")
  find_path(VWB_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} ${CUDA_INCLUDE_DIRS} ${_vwb_nccl_hints})
  if(VWB_NCCL_INCLUDE_DIR)
    file(STRINGS "${VWB_NCCL_INCLUDE_DIR}/nccl.h" _vwb_nccl_defs REGEX "^#define NCCL_(MAJOR|MINOR|PATCH) ")
    foreach(part MAJOR MINOR PATCH)
      string(REGEX MATCH "NCCL_${part} ([0-9]+)" _m "${_vwb_nccl_defs}")
      list(APPEND _vwb_nccl_version "${CMAKE_MATCH_1}")
    endforeach()
    list(JOIN _vwb_nccl_version "." _vwb_nccl_version)
  endif()
endif()
message(STATUS "vwb: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}")
message(STATUS "vwb: CUDA paths ${VWB_WITH_CUDA} (CUDA ${_vwb_cuda_version}), NCCL paths ${VWB_WITH_NCCL} (nccl.h ${_vwb_nccl_version})")

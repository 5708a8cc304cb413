# Shared by packaging/run and packaging/test. Sourced, not run.
# (No `| grep -q` here: with pipefail, grep -q leaving early can fail the pipeline by SIGPIPE.)
set -euo pipefail
VWB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VWB_BUILD=${VWB_BUILD:-$VWB_ROOT/build}
VWB_JOBS=${VWB_JOBS:-$(nproc)}

# vwb_packages RELEASE VARIANT: the packages packaging/debian-packages.txt names for that release
# (bookworm, trixie, ...) and LibTorch variant (cpu or cuda), one per line.
vwb_packages() {
  local release=$1 variant=$2 line pkg cond ok
  while read -r line; do
    line=${line%%#*}
    read -r pkg cond <<<"$line" || true
    [ -z "${pkg:-}" ] && continue
    ok=1
    for c in $cond; do
      [ "$c" = "$release" ] || [ "$c" = "$variant" ] || ok=0
    done
    [ "$ok" = 1 ] && echo "$pkg"
  done < "$VWB_ROOT/packaging/debian-packages.txt"
  return 0
}

vwb_release() { (. /etc/os-release && echo "${VERSION_CODENAME:-unknown}"); }

# True when the machine has an NVIDIA GPU (PCI vendor 0x10de, display or 3D controller class),
# whether or not its driver is loaded.
vwb_has_nvidia_gpu() {
  local d
  for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor" 2>/dev/null)" = 0x10de ] && case "$(cat "$d/class" 2>/dev/null)" in 0x03*) return 0 ;; esac
  done
  return 1
}

# The LibTorch variant to build against: VWB_TORCH=cpu|cuda, else cuda where Debian has a CUDA
# LibTorch (13 and later: libtorch-cuda-dev in contrib) and the machine an NVIDIA GPU, else cpu.
# Says exactly what is missing when a GPU is there but the CUDA build cannot be had.
vwb_torch_variant() {
  local release=$1
  case "${VWB_TORCH:-auto}" in
    cpu|cuda) echo "$VWB_TORCH"; return 0 ;;
    auto) ;;
    *) echo "packaging: VWB_TORCH is cpu, cuda or auto, not '$VWB_TORCH'" >&2; exit 2 ;;
  esac
  if ! vwb_has_nvidia_gpu; then echo cpu; return 0; fi
  if [ "$release" = bookworm ]; then
    echo "== NVIDIA GPU found, but Debian 12 packages only a CPU LibTorch (1.13): building for the CPU." >&2
    echo "   Debian 13 packages LibTorch 2.6 with CUDA (libtorch-cuda-dev, contrib)." >&2
    echo cpu; return 0
  fi
  local why=()
  if ! apt-cache policy libtorch-cuda-dev 2>/dev/null | grep "Candidate: [0-9]" >/dev/null; then
    why+=("libtorch-cuda-dev (LibTorch with CUDA) is in contrib and its CUDA libraries in non-free:"
          "add 'contrib non-free' to the Components of /etc/apt/sources.list.d/debian.sources"
          "(or to each 'deb' line of /etc/apt/sources.list), then run 'apt-get update'")
  fi
  if [ ! -e /proc/driver/nvidia/version ]; then
    why+=("the NVIDIA driver is not loaded: install 'nvidia-driver' (non-free) and reboot")
  fi
  if ! /sbin/ldconfig -p | grep 'libcudnn\.so\.9' >/dev/null; then
    why+=("cuDNN 9 (libcudnn.so.9, which libtorch_cuda loads) is not in Debian: the package 'nvidia-cudnn'"
          "downloads it from NVIDIA once you accept NVIDIA's licence: run 'apt-get install nvidia-cudnn'"
          "in a terminal and accept it (needs contrib and non-free)")
  fi
  if [ ${#why[@]} -gt 0 ]; then
    echo "== NVIDIA GPU found, but building for the CPU, because:" >&2
    printf '   %s\n' "${why[@]}" >&2
    echo "   Then run this again; VWB_TORCH=cpu silences this, VWB_TORCH=cuda forces the CUDA build." >&2
    echo cpu; return 0
  fi
  echo cuda
}

# vwb_release_for_packages: this machine's release as the package list names it.
vwb_release_for_packages() {
  local release
  release=$(vwb_release)
  case "$release" in
    bookworm|trixie) echo "$release" ;;
    *) echo "== packaging: Debian '$release' is not one we test (Debian 12 bookworm and 13 trixie are); using trixie's list" >&2
       echo trixie ;;
  esac
}

# vwb_missing_packages RELEASE VARIANT: the listed packages that are not installed, one per line.
# A name another installed package provides (a virtual package) counts as installed.
vwb_missing_packages() {
  local pkg missing=() provided
  while read -r pkg; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$pkg")
  done < <(vwb_packages "$1" "$2")
  [ ${#missing[@]} -eq 0 ] && return 0
  provided=" $(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null | sed -n 's/^ii *|//p' |
               tr ',' '\n' | sed 's/(.*//; s/[[:space:]]//g' | sort -u | tr '\n' ' ') "
  for pkg in "${missing[@]}"; do
    case "$provided" in *" $pkg "*) ;; *) echo "$pkg" ;; esac
  done
}

# Installs what the package list names for this release and variant and is not installed. A
# second run finds everything installed and neither updates apt's lists nor installs anything.
vwb_install_deps() {
  local release variant missing=()
  release=$(vwb_release_for_packages)
  variant=$(vwb_torch_variant "$release")
  VWB_TORCH_VARIANT=$variant
  mapfile -t missing < <(vwb_missing_packages "$release" "$variant")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${#missing[@]} Debian packages ($release, LibTorch $variant): ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null || { echo "packaging: ${#missing[@]} packages are missing; run this as root or install sudo" >&2; exit 2; }
      sudo=sudo
    fi
    if [ "$variant" = cuda ] && ! dpkg-query -W -f='${Status}' nvidia-cudnn 2>/dev/null | grep "ok installed" >/dev/null; then
      # libtorch-cuda depends on nvidia-cudnn, an installer whose postinst downloads cuDNN from
      # NVIDIA once its licence is accepted, which an unattended install cannot do (and without
      # network it fails, taking LibTorch down with it). Declined, it installs nothing; cuDNN
      # is then the user's step (the message below).
      echo 'nvidia-cudnn nvidia-cudnn/question select I Decline' | $sudo debconf-set-selections
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  if [ "$variant" = cuda ] && ! /sbin/ldconfig -p | grep 'libcudnn\.so\.9' >/dev/null; then
    echo "== packaging: no cuDNN 9 (libcudnn.so.9): the CUDA build links, but vwb cannot start until" \
         "'dpkg-reconfigure nvidia-cudnn' has downloaded it (accept NVIDIA's licence)" >&2
  fi
  local blas
  blas=$(readlink -f "$(/sbin/ldconfig -p | sed -n 's/.*libblas\.so\.3 (libc6,x86-64) => //p' | head -n1)" 2>/dev/null || true)
  case "$blas" in
    *openblas*) ;;
    *) echo "== packaging: libblas.so.3 is ${blas:-missing}, not OpenBLAS: LibTorch's BLAS paths run slowly." \
            "'update-alternatives --config libblas.so.3-x86_64-linux-gnu' chooses it" >&2 ;;
  esac
}

vwb_build() {
  # ccache: paths under the checkout are hashed relative to it, so another clone of the tree (CI
  # clones into a new folder each time) hits the cache; the precompiled torch header is cacheable.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$VWB_ROOT}
  export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
  local extra=()
  if command -v nvcc >/dev/null && [ -e /usr/include/torch/csrc/api/include/torch/cuda.h ] &&
     ls /usr/lib/x86_64-linux-gnu/libtorch_cuda.so* >/dev/null 2>&1; then
    extra+=($(vwb_cuda_cmake_args))
  fi
  echo "== configuring ($VWB_BUILD, ${CMAKE_BUILD_TYPE:-Release})"
  cmake -S "$VWB_ROOT" -B "$VWB_BUILD" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "${extra[@]}" "$@"
  echo "== building with $VWB_JOBS jobs"
  cmake --build "$VWB_BUILD" -j "$VWB_JOBS"
}

# CMake arguments for a CUDA LibTorch: Caffe2's config enables the CUDA language, so nvcc needs a
# host compiler it supports (Debian 13's nvcc 12.4: g++-13, not the default g++-14) and a GPU
# architecture (this machine's GPU when there is one, else VWB_CUDA_ARCHITECTURES or 80).
vwb_cuda_cmake_args() {
  local host
  for host in g++-13 g++-12; do
    command -v "$host" >/dev/null && { echo "-DCMAKE_CUDA_HOST_COMPILER=$host"; break; }
  done
  if [ -n "${VWB_CUDA_ARCHITECTURES:-}" ]; then
    echo "-DCMAKE_CUDA_ARCHITECTURES=$VWB_CUDA_ARCHITECTURES"
  elif [ -e /proc/driver/nvidia/version ]; then
    echo "-DCMAKE_CUDA_ARCHITECTURES=native"
  else
    echo "-DCMAKE_CUDA_ARCHITECTURES=80"
  fi
}

# A display number for xvfb-run no X server uses. xvfb-run -a only looks for lock files in /tmp,
# which a chroot has its own of, while X's abstract sockets (@/tmp/.X11-unix/XN) are shared with
# the host's network namespace: a clash there connects the tests to someone else's server.
vwb_free_display() {
  local n i
  for i in $(seq 0 99); do
    n=$(( 100 + ($$ + i) % 400 ))
    [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
    grep "@/tmp/.X11-unix/X$n\$" >/dev/null /proc/net/unix 2>/dev/null && continue
    echo "$n"; return 0
  done
  echo 99
}

# Shared by packaging/run and packaging/test. Sourced, not run.
set -euo pipefail
VWB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VWB_BUILD=${VWB_BUILD:-$VWB_ROOT/build}
VWB_JOBS=${VWB_JOBS:-$(nproc)}

vwb_install_deps() {
  local missing=()
  while read -r pkg; do
    pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
    [ -z "$pkg" ] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < "$VWB_ROOT/packaging/debian-packages.txt"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${#missing[@]} Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

vwb_build() {
  # ccache: paths under the checkout are hashed relative to it, so another clone of the tree (CI
  # clones into a new folder each time) hits the cache; the precompiled torch header is cacheable.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$VWB_ROOT}
  export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
  echo "== configuring ($VWB_BUILD, ${CMAKE_BUILD_TYPE:-Release})"
  cmake -S "$VWB_ROOT" -B "$VWB_BUILD" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "$@"
  echo "== building with $VWB_JOBS jobs"
  cmake --build "$VWB_BUILD" -j "$VWB_JOBS"
}

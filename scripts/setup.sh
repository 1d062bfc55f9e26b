#!/usr/bin/env bash
# Installs every dependency from Debian's packages (Debian 12) and builds Tachyon in ./build.
# Usage: bash scripts/setup.sh [CMAKE_ARGS...]   (installs packages when missing, then builds)
#   BUILD_DIR=dir     build folder (default build)
#   TARGETS="a b"     build only these targets (default: everything)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git
  libonnx-dev libprotobuf-dev protobuf-compiler zlib1g-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev libtbb-dev libpugixml-dev
  pybind11-dev python3-dev python3-pytest python3-numpy python3-onnx python3-torch
  python3-sklearn python3-xgboost
  libgtest-dev libgmock-dev libbenchmark-dev llvm-14-tools clang-14 libclang-rt-14-dev
  verilator iverilog yosys
  libhdf5-dev libzip-dev python3-h5py
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTACHYON_WERROR=ON "$@" >/dev/null
if [ -n "${TARGETS:-}" ]; then
  # shellcheck disable=SC2086
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target $TARGETS
else
  cmake --build "$BUILD_DIR" -j "$(nproc)"
fi

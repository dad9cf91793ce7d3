#!/usr/bin/env bash
# Installs what rmq needs (Debian 12), builds the library and the quickstart
# example, and runs it. Usage: examples/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends meson ninja-build pkg-config g++ \
  libabsl-dev libfmt-dev libspdlog-dev nlohmann-json3-dev libasio-dev libcli11-dev zlib1g-dev libisal-dev libssl-dev >/dev/null
[ -d build-quickstart ] || meson setup build-quickstart -Dtests=false --buildtype=release >/dev/null
ninja -C build-quickstart examples/quickstart
exec build-quickstart/examples/quickstart "$@"

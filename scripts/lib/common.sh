# Shared by scripts/test and scripts/demo: install Debian packages, configure and build. Idempotent.
set -euo pipefail
GOLIVE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${GOLIVE_BUILD_DIR:-$GOLIVE_ROOT/build}"

GOLIVE_PACKAGES=(
  g++ cmake ninja-build pkg-config git
  libssh-dev libgit2-dev libboost-dev libboost-filesystem-dev libyaml-cpp-dev libsqlite3-dev
  libspdlog-dev libcli11-dev libgtest-dev libcurl4-openssl-dev nlohmann-json3-dev libre2-dev
  libssl-dev libarchive-dev libpq-dev postgresql
  openssh-server openssh-client dropbear-bin python3 python3-aiosmtpd openssl sqlite3 procps curl
  chromium
  age
  dnsmasq-base
  prometheus
  tmux dpkg-dev
  clang-16 libclang-rt-16-dev
)

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "golive: installing Debian packages: ${missing[*]}"
  local SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build_golive [TARGET...]: configure (once) and build; all targets when none is named.
build_golive() {
  local werror="${GOLIVE_WERROR:-ON}" debug_info="${GOLIVE_DEBUG_INFO:-ON}"
  # GOLIVE_CMAKE_ARGS: extra configure flags (scripts/test --sanitize/--tsan instrument the build).
  # shellcheck disable=SC2086
  cmake -S "$GOLIVE_ROOT" -B "$BUILD_DIR" -G Ninja -DGOLIVE_WERROR="$werror" \
    -DGOLIVE_DEBUG_INFO="$debug_info" \
    ${GOLIVE_CMAKE_ARGS:-} >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build "$BUILD_DIR" -j "$(nproc)" --target "$@"
  else
    cmake --build "$BUILD_DIR" -j "$(nproc)"
  fi
}

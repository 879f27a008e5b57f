#!/usr/bin/env bash
# Installs what the interop tests (tests/Cortex.Llmd.Tests/Interop) need, when it is missing:
#   - Debian's python3-grpcio and python3-grpc-tools, for /usr/bin/python3;
#   - the Node clients' packages (npm ci from tests/interop/node/package-lock.json): grpc-js for the gRPC
#     socket, the official openai SDK and undici for the OpenAI-compatible door;
#   - the Native AOT link's toolchain (gcc, libc6-dev, zlib1g-dev: the package's Build-Depends), which the
#     package test's build needs (ILCompiler looks for clang, then falls back to gcc).
# Idempotent: does nothing when everything is present and current. Fails loudly (non-zero) when
# something cannot be installed. Run it before `dotnet test`; the tests themselves never install.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$repo_root/tests/interop/node"
python=/usr/bin/python3

log() { printf 'install-test-deps: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' and sudo is not installed"
  fi
}

python_grpc_ok() {
  [ -x "$python" ] && env -u PYTHONPATH -u PYTHONHOME "$python" -c 'import grpc, grpc_tools' >/dev/null 2>&1
}

install_python() {
  if python_grpc_ok; then
    log "python: grpc and grpc_tools already importable by $python"
    return
  fi
  log "python: installing python3-grpcio and python3-grpc-tools"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-grpcio python3-grpc-tools
  python_grpc_ok || die "$python still cannot import grpc and grpc_tools after the install"
}

node_modules_current() {
  local lock="$node_dir/package-lock.json" marker="$node_dir/node_modules/.package-lock.json"
  [ -d "$node_dir/node_modules/@grpc/grpc-js" ] && [ -d "$node_dir/node_modules/openai" ] && [ -d "$node_dir/node_modules/undici" ] \
    && [ -f "$marker" ] && [ ! "$lock" -nt "$marker" ]
}

install_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "node: installing Debian's nodejs and npm"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
  fi
  command -v node >/dev/null 2>&1 || die "node is still missing after the install"
  command -v npm >/dev/null 2>&1 || die "npm is still missing after the install"
  if node_modules_current; then
    log "node: tests/interop/node/node_modules is current"
    return
  fi
  log "node: npm ci in tests/interop/node"
  npm ci --prefix "$node_dir" --no-audit --no-fund
  node_modules_current || die "tests/interop/node/node_modules is still missing or stale after npm ci"
  (cd "$node_dir" && node -e "require('@grpc/grpc-js'); require('@grpc/proto-loader'); require('protobufjs'); require('openai'); require('undici')") \
    || die "the Node client's packages do not load after npm ci"
}

aot_toolchain_ok() {
  command -v gcc >/dev/null 2>&1 && command -v objcopy >/dev/null 2>&1 \
    && [ "$(dpkg-query -W -f='${db:Status-Status}\n' libc6-dev zlib1g-dev 2>/dev/null | grep -cx installed)" = 2 ]
}

install_aot_toolchain() {
  if aot_toolchain_ok; then
    log "aot: gcc, objcopy, libc6-dev and zlib1g-dev are present"
    return
  fi
  log "aot: installing gcc, libc6-dev and zlib1g-dev (the Native AOT link)"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y gcc libc6-dev zlib1g-dev binutils
  aot_toolchain_ok || die "gcc, objcopy, libc6-dev or zlib1g-dev still missing after the install"
}

install_python
install_node
install_aot_toolchain
log "test dependencies are in place"

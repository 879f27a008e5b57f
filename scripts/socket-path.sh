# Sourced by the scripts: the user-level socket both the daemon and the CLI use, unless
# CORTEX_LLMD_SOCKET already names one.
if [ -z "${CORTEX_LLMD_SOCKET:-}" ]; then
  if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -w "${XDG_RUNTIME_DIR}" ]; then
    CORTEX_LLMD_SOCKET="$XDG_RUNTIME_DIR/cortex/llmd.sock"
  else
    CORTEX_LLMD_SOCKET="/tmp/cortex-$(id -u)/llmd.sock"
  fi
fi
export CORTEX_LLMD_SOCKET

#!/usr/bin/env bash
# Installs the peers of `deno task bench:compare`: Debian's python3.11 with
# Debian's uvloop (the python3 on PATH may be a pyenv one without it). Node is
# optional (it adds Node's setTimeout on timers). Idempotent.
set -euo pipefail
if /usr/bin/python3.11 -c "import uvloop" 2>/dev/null; then
  /usr/bin/python3.11 -c "import uvloop; print('python3.11 with uvloop', uvloop.__version__, 'already installed')"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3.11 python3-uvloop >/dev/null
/usr/bin/python3.11 -c "import uvloop; print('uvloop', uvloop.__version__)"

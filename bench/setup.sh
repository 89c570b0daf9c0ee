#!/usr/bin/env bash
# Installs the peers of the comparison: Debian's python3.11 with uvloop (the
# python3 on PATH may be a pyenv one without it). Idempotent.
set -euo pipefail
if /usr/bin/python3.11 -c "import uvloop" 2>/dev/null; then
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-uvloop >/dev/null
/usr/bin/python3.11 -c "import uvloop; print('uvloop', uvloop.__version__)"

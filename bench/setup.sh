#!/usr/bin/env bash
# Builds the echo load generator and installs the peers of `deno task bench:compare`: Debian's python3.11 with
# Debian's uvloop (the python3 on PATH may be a pyenv one without it). Node is
# optional (it adds Node's setTimeout on timers). Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# The echo benchmark's load generator (bench/echoload.c) needs a C compiler.
if ! command -v cc >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gcc >/dev/null
fi
mkdir -p bench/bin
cc -O2 -o bench/bin/echoload bench/echoload.c
echo "built bench/bin/echoload"
# The TLS echo benchmark's load generator needs libssl's headers (libssl-dev).
if [ ! -f /usr/include/openssl/ssl.h ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libssl-dev >/dev/null
fi
cc -O2 -o bench/bin/echoload_tls bench/echoload_tls.c -lssl -lcrypto
echo "built bench/bin/echoload_tls"
if /usr/bin/python3.11 -c "import uvloop" 2>/dev/null; then
  /usr/bin/python3.11 -c "import uvloop; print('python3.11 with uvloop', uvloop.__version__, 'already installed')"
  exit 0
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3.11 python3-uvloop >/dev/null
/usr/bin/python3.11 -c "import uvloop; print('uvloop', uvloop.__version__)"

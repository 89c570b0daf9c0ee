#!/usr/bin/env bash
# Builds the echo load generators and installs the peers of the benchmarks: Debian's python3.11 with
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
# The peers: Debian's python3.11 with uvloop and httptools (bench:compare, bench:echo,
# bench:http), wrk (bench:http) and hyperfine (bench:spawn).
need=""
/usr/bin/python3.11 -c "import uvloop, httptools" 2>/dev/null || need="python3.11 python3-uvloop python3-httptools"
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v hyperfine >/dev/null 2>&1 || need="$need hyperfine"
if [ -n "$need" ]; then
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086 # a list of package names
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
/usr/bin/python3.11 -c "import uvloop; print('python3.11 with uvloop', uvloop.__version__)"

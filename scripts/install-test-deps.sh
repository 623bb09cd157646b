#!/usr/bin/env bash
# Installs what the end-to-end tests need on a fresh Debian machine: git and a real Prometheus.
# Idempotent: does nothing when the tools are already there.
set -euo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install-test-deps: need root to apt-get install ${need[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-test-deps: git $(git --version | cut -d' ' -f3), prometheus $(prometheus --version 2>&1 | head -1 | cut -d' ' -f3)"

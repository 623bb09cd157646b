#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: git, a real Prometheus and
# Alertmanager (end-to-end tests) and redis-server (the shared-store tests). `npm test` runs this
# first (the `pretest` script), so `npm ci && npm test` needs no other step.
# Idempotent: does nothing when the tools are already there.
# REMEDY_SKIP_TEST_DEPS=1 skips it (a machine that provides the tools some other way).
set -euo pipefail

if [ "${REMEDY_SKIP_TEST_DEPS:-}" = "1" ]; then
  echo "install-test-deps: skipped (REMEDY_SKIP_TEST_DEPS=1)"
  exit 0
fi

# command -> Debian package
declare -A package=(
  [git]=git
  [prometheus]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [amtool]=prometheus-alertmanager
  [redis-server]=redis-server
)
# Debian installs some of these outside a normal user's PATH.
export PATH="$PATH:/usr/sbin:/sbin:/usr/bin"

need=()
for cmd in git prometheus prometheus-alertmanager amtool redis-server; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    pkg="${package[$cmd]}"
    case " ${need[*]:-} " in *" $pkg "*) ;; *) need+=("$pkg") ;; esac
  fi
done

if [ ${#need[@]} -gt 0 ]; then
  how="install them yourself (Debian/Ubuntu: sudo apt-get install ${need[*]}), or run the tests without them (locally the tests that need them are skipped; with CI set they fail)"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: missing ${need[*]} and this machine has no apt-get: $how" >&2
    # Locally a missing tool only skips its tests; CI must have them.
    if [ -n "${CI:-}" ]; then exit 1; fi
    exit 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: missing ${need[*]}, and installing them needs root: run 'sudo bash scripts/install-test-deps.sh', or $how" >&2
    if [ -n "${CI:-}" ]; then exit 1; fi
    exit 0
  fi
  echo "install-test-deps: installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  status=0
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || status=$?
  if [ "$status" -ne 0 ]; then
    echo "install-test-deps: apt-get install ${need[*]} failed (exit $status); fix the apt sources or $how" >&2
    exit "$status"
  fi
fi

version() { "$@" 2>&1 | head -1 | sed -E 's/.*version ([^ ]+).*/\1/'; }
echo "install-test-deps: git $(git --version | cut -d' ' -f3), prometheus $(version prometheus --version), alertmanager $(version prometheus-alertmanager --version), redis-server $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/')"

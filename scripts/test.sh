#!/usr/bin/env bash
# Run the whole test suite: installs the test extras and Debian's chromium when missing.
# Usage: scripts/test.sh [pytest options, e.g. -m "not ui" or tests/engine]
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null
fi
ensure_venv "test,distributed,jupyter"

"$VENV/bin/hadolint" Dockerfile
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider --durations=20 -rfE "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"

# Shared set-up for scripts/serve.sh and scripts/test.sh: a venv with Deepbrook installed (idempotent).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
# numba: a thread-safe threading layer (workqueue aborts when two threads run a parallel kernel at once).
export NUMBA_THREADING_LAYER="${NUMBA_THREADING_LAYER:-omp}"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

ensure_venv() {  # $1: extras, e.g. "" or "test,distributed,jupyter"
  local extras="$1" spec="." stamp
  [ -n "$extras" ] && spec=".[$extras]"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # Re-install only when the dependency declarations changed (a no-op run takes well under a second).
  stamp="$VENV/.deepbrook-installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)-${extras//,/_}"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q -c constraints.txt -e "$spec"
    # compile the training kernels now, once per install, so the first model does not wait for numba
    "$VENV/bin/deepbrook" warmup
    touch "$stamp"
  fi
}

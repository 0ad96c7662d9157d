#!/usr/bin/env bash
# The README commands:  bash run.sh atlas   |   bash run.sh test   (and bash run.sh demo)
# Each creates or updates the virtual environment .venv and installs what it needs.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 ($2)"); }
missing=()
need "$PYTHON" "Python >= 3.11"
need gcc "C compiler for Brian2's Cython target: apt-get install gcc"
need g++ "C++ compiler for cpp_standalone: apt-get install g++"
need make "used by cpp_standalone builds: apt-get install make"
if [ ${#missing[@]} -eq 0 ]; then
  inc=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  [ -f "$inc/Python.h" ] || missing+=("Python headers in $inc (apt-get install python3-dev)")
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || missing+=("Python >= 3.11 (found $("$PYTHON" --version))")
  "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || missing+=("Python venv module (apt-get install python3-venv)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "brian2compartments: missing system requirements:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.installed-$(cat setup.cfg pyproject.toml | "$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])')
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test,crosscheck,bench]'
  rm -f .venv/.installed-*; touch "$stamp"
  # compile the catalogue's cell code once, so a first circuit does not wait for the compiler
  # (docs/build.md; BRIAN2COMPARTMENTS_PRECOMPILE=0 skips it, CI does)
  if [ "${BRIAN2COMPARTMENTS_PRECOMPILE:-1}" != 0 ]; then
    .venv/bin/python -m celltypes precompile ||
      echo "brian2compartments: precompile failed; cell code compiles on first use instead" >&2
  fi
fi

case "${1:-}" in
  atlas) shift; exec .venv/bin/python -m celltypes atlas "$@" ;;
  demo) shift; exec .venv/bin/python -m compartments.demo "$@" ;;
  test) shift; exec .venv/bin/python -m pytest --durations=15 "$@" ;;
  *) echo "usage: bash run.sh atlas [--out DIR] [--cells ...] [--jobs N] | bash run.sh test [pytest args]" \
          "| bash run.sh demo [--out DIR]" >&2; exit 2 ;;
esac

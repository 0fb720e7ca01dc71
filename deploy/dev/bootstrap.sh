#!/usr/bin/env bash
# Installs everything Stagepool needs on a fresh Debian machine with Python 3.11, Java 17 and Maven:
# the virtual environment with pinned packages, the Debian packages the tests use (redis-server,
# promtool, chromium + chromedriver) and the Apache Kafka jars from Maven Central.
# Idempotent and fast on a second run: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v promtool >/dev/null || need_apt+=(prometheus)
if [ "${STAGEPOOL_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null || need_apt+=(chromium)
  command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "bootstrap: missing Debian packages. Run as root: apt-get install --no-install-recommends ${need_apt[*]}" >&2
    exit 1
  fi
fi

stamp=$VENV/.stagepool-installed
UV_VERSION=0.13.9
want=$(cat requirements.lock requirements-dev.txt shared/pyproject.toml services/*/pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: creating $VENV with pinned packages"
  [ -x $VENV/bin/python ] || "$PY" -m venv $VENV
  # uv, pinned, installs the same locked set as pip in a fifth of the time (14 s against 71 s on a clean clone
  # here, which counts against CI's 20 minutes); pip does it when uv cannot be had. uv compiles the bytecode
  # as pip does: with PYTHONDONTWRITEBYTECODE set (as on this machine) nothing is cached on import, and every
  # service process took about 3 s longer to start without it.
  install=($VENV/bin/pip install -q)
  if $VENV/bin/pip install -q "uv==$UV_VERSION"; then
    install=($VENV/bin/uv pip install -q --compile-bytecode --python $VENV/bin/python ${PIP_FIND_LINKS:+--find-links "$PIP_FIND_LINKS"})
  fi
  "${install[@]}" -r requirements-dev.txt
  "${install[@]}" --no-deps -e shared -e services/intake -e services/matcher -e services/notifier -e services/reporting
  echo "$want" > "$stamp"
fi

# Our own packages are installed editable, so no installer compiled their modules; with PYTHONDONTWRITEBYTECODE
# set (as on this machine) every process compiled them again on import (30-45 ms of `matcher solve`'s 0.2 s of
# imports). Compiled here, as the image's pip install does (0.4 s the first time, 0.1 s after); a module edited
# later is compiled in memory until the next bootstrap (Python checks each .pyc against its source).
$VENV/bin/python -m compileall -q -j 0 shared/src services/*/src >/dev/null

$VENV/bin/stagepool dev fetch

# kustomize, pinned, for the offline check of deploy/k8s (tests/unit/test_k8s_manifests.py): built from the Go
# module proxy into the git-ignored .stagepool/bin (about a minute the first time, skipped afterwards).
KUSTOMIZE_VERSION=v5.5.0
if [ ! -x .stagepool/bin/kustomize ] && command -v go >/dev/null; then
  echo "bootstrap: building kustomize $KUSTOMIZE_VERSION from the Go module proxy"
  GOBIN="$PWD/.stagepool/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

#!/usr/bin/env bash
# Makes what scripts/spark_build.py needs: a venv with pyspark (from PyPI) and Java 17.
#
#   scripts/setup_spark.sh            # sets up; prints the python to run spark_build.py with
#   scripts/setup_spark.sh --python   # the same, silent on stderr (for "$(...)")
#
# Idempotent: a second run only checks. The venv lives in $KGX_SPARK_HOME/.venv (default
# ~/.cache/kgx-spark/.venv), outside the repository. Java 17 comes from Debian
# (openjdk-17-jre-headless) when `java` is missing or older than 17; that step needs root.
set -euo pipefail

QUIET=0
case "${1:-}" in
    --python) QUIET=1 ;;
    "") ;;
    *) echo "usage: setup_spark.sh [--python]" >&2; exit 2 ;;
esac
say() { [ "$QUIET" = 1 ] || echo "setup_spark: $*" >&2; }

PYSPARK_VERSION="${PYSPARK_VERSION:-3.5.3}"   # 3.5.x runs on Java 8/11/17
HOME_DIR="${KGX_SPARK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/kgx-spark}"
VENV="$HOME_DIR/.venv"

java_major() {
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\(\.[0-9]*\)*.*".*/\1/p' | head -n1
}

major="$(command -v java >/dev/null 2>&1 && java_major || true)"
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    say "installing Java 17 (openjdk-17-jre-headless)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
say "java $(java_major) at $(command -v java)"

PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$HOME_DIR"
    "$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
    say "installing pyspark==$PYSPARK_VERSION into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
fi
say "pyspark $("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)')"
echo "$VENV/bin/python"

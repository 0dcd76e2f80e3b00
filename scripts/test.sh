#!/usr/bin/env bash
# Install everything the tests need and run the whole suite against a real PostgreSQL and Debian's chromium.
# Usage: scripts/test.sh            everything, as CI: the whole suite, then the fast lane again with the clock
#                                   400 days ahead (no test may depend on today's date)
#        scripts/test.sh --fast     the fast lane: all but the Slurm, browser and fresh-install tests
#        scripts/test.sh ARGS…      pytest with these arguments
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && id postgres >/dev/null 2>&1 || need+=(postgresql)
command -v msgfmt >/dev/null || need+=(gettext)
# WeasyPrint prints the invoices' PDF with Pango, in DejaVu Sans (embedded, as PDF/A wants).
dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 ||
  need+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
command -v slurmctld >/dev/null && command -v mariadbd >/dev/null && command -v munged >/dev/null ||
  need+=(munge mariadb-server slurm-wlm slurmctld slurmd slurmdbd slurm-client)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

venv=${MESOCENTRE_TEST_VENV:-.venv-test}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -e ".[test]"

tmp=$(mktemp -d /tmp/mesocentre-test.XXXXXX)
chmod 755 "$tmp"  # the server runs as the postgres user, which must reach its directory
port=${MESOCENTRE_TEST_PG_PORT:-$(( 20000 + RANDOM % 20000 ))}
cleanup() { scripts/postgres.sh stop "$tmp/pg"; rm -rf "$tmp"; }
trap cleanup EXIT
database_url=$(scripts/postgres.sh start "$tmp/pg" "$port")  # a failed start stops the run here
export MESOCENTRE_DATABASE_URL=$database_url
export MESOCENTRE_CHROMIUM=${MESOCENTRE_CHROMIUM:-$(command -v chromium)}
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop beside the live server

"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check .
"$venv/bin/lint-imports"  # the apps' layers (pyproject.toml), function-level imports included
if [ $# -gt 0 ]; then
  "$venv/bin/python" -m pytest "$@"
else
  "$venv/bin/python" -m pytest
  echo "The fast lane again, with the clock 400 days ahead:"
  "$venv/bin/python" -m pytest -q --fast --shift-clock=400
fi

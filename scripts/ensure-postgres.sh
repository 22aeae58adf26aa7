#!/bin/sh
# Print the URL of a PostgreSQL server for the tests; install and start a local one if none answers.
set -eu
url="${FAHRPLAN_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
if command -v psql >/dev/null 2>&1 && psql "$url" -Atqc 'select 1' >/dev/null 2>&1; then
  echo "$url"
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL fehlt: installiere Debians Paket postgresql …" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
$sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
# A password for the superuser, so that the tests log in over TCP as Debian's default allows.
$sudo su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'fahrplan-test'\"" >&2
url="postgresql://postgres:fahrplan-test@127.0.0.1:5432/postgres"
psql "$url" -Atqc 'select 1' >/dev/null
echo "$url"

#!/usr/bin/env bash
# Two `benchside serve` processes behind nginx, with PgBouncer in front of PostgreSQL, under a
# mixed learner load; then the checks that several processes keep the promises one does.
#
#   scripts/multi-process.sh [SECONDS]        (default 60)
#
# Env: MULTI_POOL_MODE   PgBouncer's pool_mode, `session` (default) or `transaction` (see
#                        docs/OPERATIONS.md: Debian 12's PgBouncer 1.18 cannot track the named
#                        prepared statements the app's driver uses, so `transaction` fails there)
#      MULTI_LEARNERS    learners in the load (default 40)
#      MULTI_SIGNUPS     registrations sent through the balancer during the load (default 200)
#      MULTI_SERVER      the PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#      BENCHSIDE_BIN     a built binary to run instead of building the release one here
#
# Installs nginx, pgbouncer and wrk from Debian's packages when missing. Everything runs on
# loopback under a temporary directory; the database `benchside_multi` is dropped and created.
# Checks, each a failure when broken:
#   - no request failed (wrk's non-2xx/3xx count and socket errors are zero);
#   - a session started on one process is valid on the other (access token on B, refresh on B
#     of a login on A, logout on A then the token refused on B within the revocation refresh);
#   - every registration's verification mail was sent exactly once across both processes
#     (one .eml per outbox row, no Message-ID twice), and no job ran more than once.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LOAD=${1:-60}
MODE=${MULTI_POOL_MODE:-session}
LEARNERS=${MULTI_LEARNERS:-40}
SIGNUPS=${MULTI_SIGNUPS:-200}
SERVER=${MULTI_SERVER:-postgres://postgres@127.0.0.1:5432}
DIRECT="$SERVER/benchside_multi"
# PgBouncer's upstream: the host and port of MULTI_SERVER.
PG_HOSTPORT=${SERVER#*@}
PG_HOST=${PG_HOSTPORT%:*}
PG_PORT=${PG_HOSTPORT##*:}
POOLED="postgres://postgres@127.0.0.1:16432/benchside_multi"
LB=http://127.0.0.1:18080
A=http://127.0.0.1:18081
B=http://127.0.0.1:18082

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo -n "$@"; fi; }
need() {
  command -v "$1" >/dev/null || [[ -x /usr/sbin/$1 ]] || {
    echo "multi: installing $2"
    as_root apt-get install -y -q "$2" >/dev/null 2>&1 ||
      { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q "$2" >/dev/null; }
  }
}
need nginx nginx
need pgbouncer pgbouncer
need wrk wrk
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

DIR=$(mktemp -d /tmp/benchside-multi.XXXXXX)
chmod 755 "$DIR"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f $DIR/nginx.pid ]] && kill "$(cat "$DIR/nginx.pid")" 2>/dev/null || true
  [[ -f $DIR/pgbouncer/pgbouncer.pid ]] && kill "$(cat "$DIR/pgbouncer/pgbouncer.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  [[ -n ${MULTI_KEEP:-} ]] || rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "multi: FAILED: $*" >&2; exit 1; }

if [[ -n ${BENCHSIDE_BIN:-} ]]; then
  BIN=$BENCHSIDE_BIN
else
  cargo build --release --locked -q
  BIN=target/release/benchside
fi

# ---- the database, migrated and imported over the direct connection --------------------------
psql -X -q "$SERVER/postgres" -c 'DROP DATABASE IF EXISTS benchside_multi' -c 'CREATE DATABASE benchside_multi'
export BENCHSIDE_JWT_SECRET=multi-process-check-secret-0123456789abcdef
export BENCHSIDE_SIGNING_KEY_DIR=$DIR/keys BENCHSIDE_PUBLIC_URL=$LB
DATABASE_URL=$DIRECT BENCHSIDE_DATA_DIR=$DIR/cli $BIN migrate >/dev/null
DATABASE_URL=$DIRECT BENCHSIDE_DATA_DIR=$DIR/cli $BIN courses import courses >/dev/null
DATABASE_URL=$DIRECT BENCHSIDE_DATA_DIR=$DIR/cli $BIN keys generate >/dev/null

# ---- PgBouncer (it refuses to run as root: run it as postgres) -------------------------------
# In session mode a client connection holds its server connection until it disconnects, so the
# pool must have room for every app connection (2 x BENCHSIDE_DB_POOL_SIZE = 20) plus the ones
# a process opens besides its pool (start-up import and key check, replacements): with 20, a
# replacement waited for a server connection past the app's 5 s connect timeout (503
# database_unavailable under load).
mkdir -p "$DIR/pgbouncer"
cat >"$DIR/pgbouncer/pgbouncer.ini" <<INI
[databases]
benchside_multi = host=$PG_HOST port=$PG_PORT dbname=benchside_multi user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 16432
unix_socket_dir =
auth_type = trust
auth_file = $DIR/pgbouncer/userlist.txt
pool_mode = $MODE
default_pool_size = 40
max_client_conn = 400
ignore_startup_parameters = extra_float_digits
pidfile = $DIR/pgbouncer/pgbouncer.pid
logfile = $DIR/pgbouncer/pgbouncer.log
INI
echo '"postgres" ""' >"$DIR/pgbouncer/userlist.txt"
if [[ $(id -u) == 0 ]]; then
  chown -R postgres "$DIR/pgbouncer"
  runuser -u postgres -- "$PGBOUNCER" -d "$DIR/pgbouncer/pgbouncer.ini"
else
  "$PGBOUNCER" -d "$DIR/pgbouncer/pgbouncer.ini"
fi
for _ in $(seq 50); do psql -X -q "$POOLED" -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done

# ---- two app processes, both with the job and mail workers -----------------------------------
start_app() { # port name
  mkdir -p "$DIR/$2"
  DATABASE_URL=$POOLED BENCHSIDE_LISTEN=127.0.0.1:$1 BENCHSIDE_DATA_DIR=$DIR/$2 \
    BENCHSIDE_MIGRATE_ON_START=false BENCHSIDE_MAIL_TRANSPORT=file BENCHSIDE_TRUST_PROXY=true \
    BENCHSIDE_RATE_LIMITS=false BENCHSIDE_DB_POOL_SIZE=10 RUST_LOG=warn \
    $BIN serve >"$DIR/$2.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$DIR/$2.pid"
}
start_app 18081 a
start_app 18082 b

# ---- nginx, round robin over both ------------------------------------------------------------
cat >"$DIR/nginx.conf" <<NGINX
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx-body;
  proxy_temp_path $DIR/nginx-proxy;
  fastcgi_temp_path $DIR/nginx-fastcgi;
  uwsgi_temp_path $DIR/nginx-uwsgi;
  scgi_temp_path $DIR/nginx-scgi;
  upstream benchside { server 127.0.0.1:18081; server 127.0.0.1:18082; keepalive 64; }
  server {
    listen 127.0.0.1:18080;
    location / {
      proxy_pass http://benchside;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
    }
  }
}
NGINX
"$NGINX" -c "$DIR/nginx.conf" -p "$DIR" -e "$DIR/nginx-error.log"
for url in $A $B $LB; do
  for _ in $(seq 150); do curl -fs "$url/readyz" >/dev/null && break; sleep 0.2; done
  curl -fs "$url/readyz" >/dev/null || { tail -n 30 "$DIR"/*.log; fail "$url is not ready"; }
done
echo "multi: nginx :18080 -> serve :18081, :18082 -> PgBouncer ($MODE) :16432 -> PostgreSQL"

python3 scripts/multi_process.py "$DIR" "$SECONDS_LOAD" "$LEARNERS" "$SIGNUPS" "$DIRECT"

#!/usr/bin/env bash
# A private PostgreSQL cluster in a directory of ours, on 127.0.0.1 and a free port.
#   scripts/pg.sh start DIR [PORT]   -> prints the connection string; reuses DIR when it holds a cluster
#   scripts/pg.sh stop DIR
#   scripts/pg.sh restart DIR        -> pg_ctl restart -m fast (every session is cut; the tests of a database restart)
# Runs initdb/postgres as the 'postgres' user when we are root (initdb refuses root).
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR [PORT]}
dir=$(realpath -m "${2:?usage: pg.sh start|stop DIR [PORT]}")
bin=""
for v in 17 16 15 14 13; do
  if [[ -x /usr/lib/postgresql/$v/bin/initdb ]]; then bin=/usr/lib/postgresql/$v/bin; break; fi
done
if [[ -z "$bin" ]]; then echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; fi
# From /: the postgres user may not be able to enter the current directory.
as_pg() { if [[ $(id -u) == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# As root, the cluster must sit where the postgres user can reach it. Inside a 0700 home (/root, the usual case in
# containers) it cannot, so the cluster then lives under /var/lib/postgresql/clusters/<name>-<hash of DIR> and DIR
# becomes a symbolic link to it: the same DIR finds the same cluster on the next run, and nothing in the home
# directory's permissions changes.
place() {
  [[ $(id -u) == 0 ]] || return 0
  if [[ -L "$dir" ]]; then dir=$(readlink -f "$dir"); return 0; fi
  local parent; parent=$(dirname "$dir"); mkdir -p "$parent"
  if runuser -u postgres -- test -x "$parent" -a -r "$parent" 2>/dev/null; then return 0; fi
  local home=/var/lib/postgresql/clusters
  local target="$home/$(basename "$(dirname "$parent")")-$(printf '%s' "$dir" | sha256sum | cut -c1-12)"
  mkdir -p "$target"; chown postgres: "$home" "$target"; chmod 755 /var/lib/postgresql "$home" 2>/dev/null || true
  if [[ -d "$dir" && ! -L "$dir" ]]; then rmdir "$dir" 2>/dev/null || { echo "pg.sh: $dir exists and the postgres user cannot reach it" >&2; exit 1; }; fi
  ln -sfn "$target" "$dir"
  echo "pg.sh: the postgres user cannot reach $parent; the cluster lives in $target ($dir links to it)" >&2
  dir=$target
}
case "$cmd" in
  start)
    place
    mkdir -p "$dir"
    if [[ $(id -u) == 0 ]]; then chown postgres: "$dir"; fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_pg mkdir -p "$dir/data" "$dir/run"
      as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { echo "pg.sh: initdb failed, see $dir/initdb.log" >&2; exit 1; }
    fi
    port=${3:-}
    if [[ -z "$port" ]]; then
      if [[ -f "$dir/port" ]]; then port=$(cat "$dir/port"); else port=$(free_port); fi
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on} -c synchronous_commit=${PG_SYNC_COMMIT:-on} ${PG_OPTIONS:-}" >/dev/null \
        || { echo "pg.sh: postgres did not start, see $dir/postgres.log" >&2; exit 1; }
    else
      port=$(head -4 "$dir/data/postmaster.pid" | tail -1)
    fi
    echo "$port" > "$dir/port"
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    [[ -L "$dir" ]] && dir=$(readlink -f "$dir")
    [[ -f "$dir/data/PG_VERSION" ]] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  restart)
    [[ -L "$dir" ]] && dir=$(readlink -f "$dir")
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -m fast -w -t 60 restart >/dev/null
    ;;
  *) echo "usage: pg.sh start|stop|restart DIR [PORT]" >&2; exit 2;;
esac

#!/usr/bin/env bash
# Engagement benchmarks (docs/engagement.md): wrk against a tracked-link redirect and /healthz of the same service,
# then the edition report on an edition of RECIPIENTS deliveries. Never run by ./test.sh.
# Usage: bench/engagement.sh            (30 s per wrk run, 1,000,000 recipients)
#        DURATION=5 RECIPIENTS=10000 bench/engagement.sh   (a quick check at a small size)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=${DURATION:-30}
recipients=${RECIPIENTS:-1000000}
work=${TMPDIR:-/tmp}/newsletter-engagement-bench
command -v wrk >/dev/null || { echo "engagement.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
rm -rf "$work"; mkdir -p "$work/out"; chmod 755 "$work"

cs=$(PG_FSYNC=off "$root/scripts/pg.sh" start "$work/pg")
pgport=$(cat "$work/pg/port")
psqlc() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgport" -U postgres -d postgres "$@"; }
svc=""
cleanup() { [[ -n "$svc" ]] && kill "$svc" 2>/dev/null; wait "$svc" 2>/dev/null || true; "$root/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true; }
trap cleanup EXIT

dotnet build "$root/src/Sender" -c Release -nologo -v quiet -o "$work/bin" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
key=bench-api-key-0123456789-abcdefghijklmnopqrstuvwxyz
env ConnectionStrings__Newsletter="$cs" ASPNETCORE_URLS="http://127.0.0.1:$port" Site__BaseUrl=http://127.0.0.1:$port \
    Site__ComparisonBaseUrl=https://compare.example.com Newsletter__FromAddress=verdicts@news.example.com \
    Newsletter__PostalAddress="1 Bench Street" Api__Keys__0=$key \
    Subscribers__UnsubscribeKeys__0=bench-unsubscribe-key-0123456789-abcdefghijklmnop \
    Subscribers__SuppressionKey=bench-suppression-key-0123456789-abcdefghijklmnop \
    Smtp__Mode=Pickup Smtp__PickupDirectory="$work/out" Schedule__Enabled=false Logging__LogLevel__Default=Warning \
    dotnet "$work/bin/Newsletter.Sender.dll" serve >"$work/service.log" 2>&1 &
svc=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the service did not start:"; cat "$work/service.log"; exit 1; }

# One sent edition with one stored link: the redirect's whole path (lookup, classification, queueing the click).
edition=$(psqlc -At -c "insert into editions (state, cutoff, subject, started_at, finished_at) values ('sent', now(), 'Bench', now(), now()) returning id" | head -1)
psqlc -c "insert into edition_links (edition_id, link_id, url, slug, html_href) values ($edition, 1, 'https://compare.example.com/compare/a-vs-b', 'a-vs-b', 'x')"
ua='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36'
run() { wrk -t2 -c32 -d"${duration}s" --latency -H "User-Agent: $ua" "$1" 2>&1; }
figures() { awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} END {printf "%s req/s, p99 %s\n", rps, p99}'; }
h=$(run "http://127.0.0.1:$port/healthz" | figures)
rout=$(run "http://127.0.0.1:$port/r/$edition/1?d=0")
r=$(echo "$rout" | figures)
redirects=$(echo "$rout" | awk '/requests in/ {print $1}')
echo "wrk, 2 threads, 32 connections, ${duration} s each, $(nproc) cores"
echo "  /healthz        $h"
echo "  /r/$edition/1        $r"
sleep 2
psqlc -At -c "select 'counted clicks 2 s after: ' || clicks || ' of $redirects redirects (' || round(100.0 * (clicks + machine_clicks) / $redirects, 1) || ' %; machine ' || machine_clicks || ')' from edition_link_stats where edition_id = $edition"
grep -h "were not counted\|not counted" "$work/service.log" | tail -3 || true

# The report of an edition of $recipients deliveries, with clicks counted on six comparisons.
psqlc -c "insert into subscribers (email, email_key, status, confirmed_at) select 'r' || g || '@example.com', 'r' || g || '@example.com', 'confirmed', now() from generate_series(1, $recipients) g"
big=$(psqlc -At -c "insert into editions (state, cutoff, subject, started_at, finished_at, recipients) values ('sent', now(), 'Big', now(), now(), $recipients) returning id" | head -1)
psqlc -c "insert into deliveries (edition_id, subscriber_id, state, attempts, sent_at) select $big, id, case when id % 100 = 0 then 'failed' else 'sent' end, 1, now() from subscribers"
psqlc -c "insert into edition_links (edition_id, link_id, url, slug, html_href) select $big, g, 'https://compare.example.com/compare/c' || g, 'c' || g, 'x' from generate_series(1, 6) g"
psqlc -c "insert into edition_link_stats (edition_id, link_id, clicks, machine_clicks) select $big, g, 1000 * g, 10 * g from generate_series(1, 6) g"
psqlc -c "vacuum analyze deliveries"
for i in 1 2 3; do
  t=$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/editions/$big/report")
  echo "report on $recipients recipients, run $i: ${t} s"
done

#!/usr/bin/env bash
# Runs every test: ./test.sh [--fast] [extra dotnet test arguments]
# --fast leaves out the tests marked [Trait("Category", "Slow")] (real service processes, large sends, real time):
# the inner loop's subset.
# Installs missing prerequisites (PostgreSQL, Postfix for smtp-sink, python3-dkim, Chromium, Dovecot, Prometheus), starts one
# private PostgreSQL for the run (NEWSLETTER_TEST_DB), builds, tests, and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
args=()
for a in "$@"; do
  if [[ $a == --fast ]]; then args+=(--filter "Category!=Slow"); else args+=("$a"); fi
done
root=$(pwd)

need=()
pg_found=""
for v in 17 16 15 14 13; do [[ -x /usr/lib/postgresql/$v/bin/initdb ]] && pg_found=1 && break; done
[[ -z "$pg_found" ]] && need+=(postgresql)
[[ -x /usr/sbin/smtp-sink ]] || need+=(postfix)
/usr/bin/python3 -c 'import dkim' 2>/dev/null || need+=(python3-dkim)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
[[ -x /usr/sbin/dovecot ]] || need+=(dovecot-imapd)
[[ -x /usr/bin/prometheus ]] || need+=(prometheus)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
  echo "test.sh: installing ${need[*]} from Debian's packages..."
  [[ $(id -u) == 0 ]] && sudo="" || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  # postfix asks about its configuration unless told not to; only smtp-sink/smtp-source are used.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections 2>/dev/null || true
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/tmp/newsletter-apt.log 2>&1 \
    || { echo "test.sh: apt-get install failed, see /tmp/newsletter-apt.log" >&2; tail -20 /tmp/newsletter-apt.log >&2; echo "0 passed, 1 failed"; exit 1; }
fi

# One PostgreSQL for the whole run; each test creates databases of its own in it.
pgdir=$(mktemp -d /tmp/newsletter-test-pg.XXXXXX)
chmod 755 "$pgdir" # the postgres user must reach the cluster inside
if ! conn=$(PG_FSYNC=off PG_SYNC_COMMIT=off scripts/pg.sh start "$pgdir/cluster"); then
  echo "test.sh: could not start PostgreSQL" >&2; echo "0 passed, 1 failed"; exit 1
fi
trap 'scripts/pg.sh stop "$pgdir/cluster"; rm -rf "$pgdir"' EXIT
export NEWSLETTER_TEST_DB="$conn"
# Test processes are short-lived and many run at once on a small machine: workstation GC and no tiered PGO spend less
# CPU starting each one (the service's own settings, for production and the benchmarks, are unchanged).
export DOTNET_gcServer=0 DOTNET_TieredPGO=0

results=$(mktemp -d /tmp/newsletter-test-results.XXXXXX)
echo "test.sh: building..."
if ! dotnet build Newsletter.sln -nologo -v quiet 2>&1 | tee "$results/build.log" | grep -E 'error|Build succeeded' ; then :; fi
if grep -q -E ' error ' "$results/build.log" || ! grep -q 'Build succeeded' "$results/build.log"; then
  echo "test.sh: build failed" >&2; tail -30 "$results/build.log" >&2; echo "0 passed, 1 failed"; exit 1
fi

# The end-to-end tests (real service processes, mostly waiting on real time) start at once in the background; the
# other projects run one after another beside them, so the long pole overlaps everything else.
run_tests() { dotnet test "$1" --no-build -nologo --logger "trx" --results-directory "$results" "${args[@]}" 2>&1; }
run_tests tests/EndToEnd.Tests/EndToEnd.Tests.csproj > "$results/e2e.log" &
e2e=$!
# The largest first; every other *.Tests project after it.
others=$(find tests -name '*.Tests.csproj' ! -name EndToEnd.Tests.csproj ! -name Sender.Tests.csproj | sort)
for project in tests/Sender.Tests/Sender.Tests.csproj $others; do
  run_tests "$project"
done > "$results/test.log"
wait $e2e
cat "$results/test.log" "$results/e2e.log" | grep -v -E '^\s*$|^Test run for|^A total of|^VSTest|^Results File' || true

# Count from the TRX files: every test project writes one.
read -r passed failed < <(python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
p = f = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
print(p, f)
PY
)
projects=$(find tests -name '*.Tests.csproj' | wc -l)
trx=$(ls "$results"/*.trx 2>/dev/null | wc -l)
if (( trx < projects )); then
  echo "test.sh: only $trx of $projects test projects reported results (a test host crashed?)" >&2
  failed=$((failed + projects - trx))
fi
rm -rf "$results"
echo "$passed passed, $failed failed"
(( failed == 0 && passed > 0 ))

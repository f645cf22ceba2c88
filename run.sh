#!/usr/bin/env bash
# Quick start: ./run.sh
# Installs what is missing, starts a private PostgreSQL under .data/, migrates, imports the sample comparisons,
# and runs the service on http://127.0.0.1:5080 with mail written as .eml files to .data/outbox/.
# Ctrl-C stops the service and the database. A second run reuses the data.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
data="$root/.data"
mkdir -p "$data/outbox"

need=()
pg_found=""
for v in 17 16 15 14 13; do [[ -x /usr/lib/postgresql/$v/bin/initdb ]] && pg_found=1 && break; done
[[ -z "$pg_found" ]] && need+=(postgresql)
command -v dotnet >/dev/null || { echo "run.sh: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
if ((${#need[@]})); then
  echo "Installing ${need[*]} from Debian's packages..."
  [[ $(id -u) == 0 ]] && sudo="" || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi

# Local secrets, made once, kept out of the repository (.data/ is ignored).
secrets="$data/secrets.env"
if [[ ! -f "$secrets" ]]; then
  rand() { head -c 32 /dev/urandom | base64 | tr -d '/+=' ; }
  {
    echo "Api__Keys__0=$(rand)$(rand)"
    echo "Subscribers__UnsubscribeKeys__0=$(rand)$(rand)"
  } > "$secrets"
  chmod 600 "$secrets"
fi
# Added when missing, so a .data/ from before the setting keeps working.
if ! grep -q '^Subscribers__SuppressionKey=' "$secrets"; then
  echo "Subscribers__SuppressionKey=$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" >> "$secrets"
fi
set -a; source "$secrets"; set +a

conn=$(scripts/pg.sh start "$data/postgres")
cleanup() { echo; echo "Stopping PostgreSQL..."; scripts/pg.sh stop "$data/postgres"; }
trap cleanup EXIT
psql "host=127.0.0.1 port=$(cat "$data/postgres/port") user=postgres dbname=postgres" -tAc \
  "select 1 from pg_database where datname='newsletter'" | grep -q 1 \
  || psql "host=127.0.0.1 port=$(cat "$data/postgres/port") user=postgres dbname=postgres" -qc "create database newsletter"

export ConnectionStrings__Newsletter="${conn/Database=postgres/Database=newsletter}"
export Smtp__Mode=${Smtp__Mode:-Pickup}
export Smtp__PickupDirectory=${Smtp__PickupDirectory:-$data/outbox}
export Site__BaseUrl=${Site__BaseUrl:-http://127.0.0.1:5080}
export Site__ComparisonBaseUrl=${Site__ComparisonBaseUrl:-https://shiporskip.example.com}
export Newsletter__FromAddress=${Newsletter__FromAddress:-verdicts@newsletter.example.com}
export Newsletter__PostalAddress=${Newsletter__PostalAddress:-Weekly AI Tool Verdicts, 1 Example Street, Springfield 12345, USA}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:5080}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}

echo "Building..."
dotnet build src/Sender -c Release -v quiet -nologo -o "$data/bin" >"$data/build.log" 2>&1 || { cat "$data/build.log" >&2; exit 1; }
dotnet "$data/bin/Newsletter.Sender.dll" migrate

# An admin for the console, made once: the password is printed below and kept in .data/secrets.env.
if ! grep -q '^Admin__Users__0__PasswordHash=' "$secrets"; then
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  hash=$(dotnet "$data/bin/Newsletter.Sender.dll" hash-password "$password")
  # Single quotes: the hash contains $ signs.
  { echo "Admin__Users__0__Name=admin"; echo "ADMIN_PASSWORD=$password"; echo "Admin__Users__0__PasswordHash='$hash'"; } >> "$secrets"
  set -a; source "$secrets"; set +a
fi

# The sample comparisons, once, dated today so the first "send now" has something to send.
if [[ ! -f "$data/samples-imported" ]]; then
  mkdir -p "$data/samples"
  i=0
  for f in samples/comparisons/*.json; do
    i=$((i + 1))
    sed -E "s/\"publishedAt\": *\"[^\"]+\"/\"publishedAt\": \"$(date -u -d "-$i hours" +%Y-%m-%dT%H:%M:%SZ)\"/" "$f" > "$data/samples/$(basename "$f")"
  done
  dotnet "$data/bin/Newsletter.Sender.dll" import "$data/samples" && touch "$data/samples-imported"
fi

cat <<TXT

  Weekly AI Tool Verdicts is running.
    Signup page     $Site__BaseUrl/
    Archive         $Site__BaseUrl/archive
    Health          $Site__BaseUrl/healthz
    Admin console   $Site__BaseUrl/admin   (user admin, password $ADMIN_PASSWORD)
    API key         $Api__Keys__0   (Authorization: Bearer ...; kept in .data/secrets.env)
    Outbox (.eml)   $Smtp__PickupDirectory
    Try:  curl -d email=a@example.com $Site__BaseUrl/subscribe
  Ctrl-C stops the service and the database.

TXT
# From its own folder, so it finds its appsettings.json. Ctrl-C (or a TERM to this script) stops it gracefully;
# the EXIT trap then stops PostgreSQL.
(cd "$data/bin" && exec dotnet Newsletter.Sender.dll serve) &
child=$!
trap 'kill -TERM $child 2>/dev/null' INT TERM
wait $child || wait $child || true

#!/usr/bin/env bash
# Renders the sample edition (samples/comparisons) and the other templates to HTML, then screenshots them with
# headless Chromium into docs/screenshots/: edition-{600,375}-{light,dark}.png plus transactional mails and pages.
# Usage: scripts/screenshots.sh [--all]   (without --all: the four edition shots + the three transactional mails)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/docs/screenshots"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

dotnet run -c Release --project "$root/bench/Templates.Bench" -- render "$work/html" >/dev/null

shot() { # shot <html> <png> <width> <light|dark>
  local html="$1" png="$2" width="$3" scheme="$4" profile
  profile="$(mktemp -d -p "$work")"
  local dark=()
  if [[ "$scheme" == dark ]]; then dark=(--force-dark-mode --blink-settings=preferredColorScheme=0); fi
  timeout 90 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" "${dark[@]}" \
    --screenshot="$work/raw.png" --window-size="$width,12000" "file://$html" >/dev/null 2>&1
  # Crop the empty page background below the content (keeps 24px); the width stays as rendered.
  echo "$(basename "$png") $(convert "$work/raw.png" ppm:- | python3 "$root/scripts/crop-screenshot.py" "$png")"
}

for w in 600 375; do
  for s in light dark; do
    shot "$work/html/edition.html" "$out/edition-$w-$s.png" "$w" "$s"
  done
done
for m in confirmation welcome goodbye; do
  shot "$work/html/$m.html" "$out/$m-600-light.png" 600 light
done
if [[ "${1:-}" == --all ]]; then
  for p in "$work"/html/page-*.html; do
    n="$(basename "$p" .html)"
    shot "$p" "$out/$n-1000-light.png" 1000 light
    shot "$p" "$out/$n-375-dark.png" 375 dark
  done
fi

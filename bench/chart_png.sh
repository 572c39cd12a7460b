#!/bin/sh
# Renders a chart loopsafe drew (SVG) to PNG, to look at it as a browser shows it:
#     sh bench/chart_png.sh docs/example-report-canary.svg /tmp/chart.png
# Uses rsvg-convert (Debian: librsvg2-bin), else headless Chromium (Debian: chromium).
set -eu
svg=$1
png=$2
if command -v rsvg-convert >/dev/null 2>&1; then
    exec rsvg-convert --background-color=white "$svg" -o "$png"
fi
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "install librsvg2-bin (rsvg-convert) or chromium" >&2
    exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# The chart is 900 x 420; the flags keep a closed network from slowing Chromium down.
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$profile" --window-size=900,420 \
    --screenshot="$(realpath -m "$png")" "file://$(realpath "$svg")" >/dev/null 2>&1

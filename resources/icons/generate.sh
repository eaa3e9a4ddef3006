#!/usr/bin/env bash
# Regenerates the app's PNG icons from icon.svg (Debian: apt-get install librsvg2-bin). The PNGs are committed,
# so packaging needs no tool; run this after changing the SVG.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for size in 16 32 48 64 128 256 512; do
  rsvg-convert --width "$size" --height "$size" icon.svg --output "${size}x${size}.png"
done

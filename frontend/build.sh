#!/bin/sh
# Build assess/static/govuk/ from GOV.UK Frontend: compressed CSS, the JavaScript, and only the
# assets the pages use. The output is committed, so CI and users need no Node.
# Run from anywhere: `make frontend` (or `npm run build` in frontend/).
set -eu
cd "$(dirname "$0")"
OUT=../assess/static/govuk
GOVUK=node_modules/govuk-frontend/dist/govuk

npm ci --no-audit --no-fund --omit=optional  # sass needs no file watcher here
rm -rf "$OUT"
mkdir -p "$OUT"
npx sass --pkg-importer=node --style=compressed --no-source-map assess.scss "$OUT/assess.css"
# The source map is not shipped; drop the comment pointing at it.
sed '/^\/\/# sourceMappingURL=/d' "$GOVUK/govuk-frontend.min.js" > "$OUT/govuk-frontend.min.js"
echo "Built $(wc -c < "$OUT/assess.css") bytes of CSS in $OUT"
# Images the CSS could ask for. We copy none: the only one is the Royal Arms (govuk-crest.svg) of
# the GOV.UK footer's Crown copyright link, which our footer does not use.
grep -o 'url([^)]*)' "$OUT/assess.css" | sort -u | sed 's/^/  not copied (unused): /' || true

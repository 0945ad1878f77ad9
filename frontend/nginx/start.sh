#!/bin/sh
# The dashboard image's command (frontend/Dockerfile): nginx serving the static export
# on $WEB_PORT, with /runtime-config.js naming $API_URL, like server.mjs.
set -eu
port="${WEB_PORT:-3000}"
api="${API_URL:-http://localhost:8080}"
case "$api" in
  http://* | https://*) ;;
  *) echo "API_URL must be an http(s) URL: $api" >&2 && exit 2 ;;
esac
case "$api" in *[\"\\\ \;\|\'\$\`]*) echo "API_URL has characters a URL should not: $api" >&2 && exit 2 ;; esac
origin=$(printf '%s' "$api" | sed -E 's,^([a-z]+://[^/]+).*,\1,')
run=/tmp/sightline-web
mkdir -p "$run"
printf 'window.__SIGHTLINE__ = {"apiUrl":"%s"};\n' "$api" >"$run/runtime-config.js"
sed -e "s|@PORT@|$port|g" -e "s|@API_ORIGIN@|$origin|g" -e "s|@RUN@|$run|g" \
  /usr/share/sightline/web.conf >"$run/nginx.conf"
echo "Sightline dashboard on http://localhost:$port (API $api)"
exec nginx -e /dev/stderr -c "$run/nginx.conf" -g "daemon off;"

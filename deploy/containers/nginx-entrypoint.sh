#!/bin/sh
# The local nginx image's entrypoint (deploy/containers.sh bases): fills templates as
# the nginx images' own entrypoint does, then runs the command. Each
# $NGINX_ENVSUBST_TEMPLATE_DIR/*.template becomes $NGINX_ENVSUBST_OUTPUT_DIR/<name>
# with only the variables matching $NGINX_ENVSUBST_FILTER substituted.
set -eu
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"
if [ -d "$template_dir" ]; then
  defined=$(env | cut -d= -f1 | grep -E "${filter:-.}" | sed 's/^/${/; s/$/}/' | tr '\n' ' ')
  for template in "$template_dir"/*.template; do
    [ -f "$template" ] || continue
    output="$output_dir/$(basename "$template" .template)"
    envsubst "$defined" <"$template" >"$output"
    echo "docker-entrypoint.sh: $template -> $output" >&2
  done
fi
# `nginx` alone: in the foreground, as the nginx images run it.
if [ "$#" -eq 1 ] && [ "$1" = nginx ]; then
  set -- nginx -g "daemon off;"
fi
exec "$@"

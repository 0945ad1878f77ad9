#!/usr/bin/env bash
# Sightline's images and the compose stack on podman (or Docker), for the Makefile's
# image and compose-* targets and CI (deploy/README.md, "Containers").
#
#   deploy/containers.sh setup           podman, runc, debootstrap (apt) and podman-compose
#   deploy/containers.sh bases           local base images from Debian packages (no registry)
#   deploy/containers.sh images          sightline-backend and sightline-web, when their inputs changed
#   deploy/containers.sh up N PORT       the stack: postgres, migrate, N x api, worker, web, nginx
#   deploy/containers.sh down            every container, network and volume `up` made
#   deploy/containers.sh status          the stack's containers
#
# BASES=local (the default when no Docker daemon is there): the Dockerfiles' public bases
# (python:3.11-slim, node:20-slim, nginx, postgres) are replaced by images built here from
# Debian bookworm's packages with debootstrap, the host's CA bundle inside, so the same
# Dockerfiles build where no image registry is reachable. BASES=public: the Dockerfiles'
# own bases, pulled from Docker Hub.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/deploy/containers/containers.conf}"
PROJECT=sightline
TOOLS="${SIGHTLINE_CONTAINER_TOOLS:-$ROOT/var/container-tools}"
BASES_DIR="${SIGHTLINE_BASES_DIR:-$ROOT/var/container-bases}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HOST_CA=/etc/ssl/certs/ca-certificates.crt

if [ -z "${ENGINE:-}" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then ENGINE=docker; else ENGINE=podman; fi
fi
if [ -z "${BASES:-}" ]; then
  if [ "$ENGINE" = docker ]; then BASES=public; else BASES=local; fi
fi

# The local bases: names, and the Debian packages each is made of.
PY_BASE=localhost/sightline-base-python:3.11-bookworm
NODE_BASE=localhost/sightline-base-node:20-bookworm
NGINX_IMAGE_LOCAL=localhost/sightline-nginx:bookworm
POSTGRES_IMAGE_LOCAL=localhost/sightline-postgres:15-bookworm
BASES_VERSION=1
PY_PACKAGES=python3,python3-venv,python-is-python3,ca-certificates,libstdc++6
NGINX_PACKAGES=nginx,gettext-base,busybox,ca-certificates
POSTGRES_PACKAGES=postgresql-15,ca-certificates

log() { printf '[containers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

compose() {
  if [ "$ENGINE" = docker ]; then
    docker compose -p "$PROJECT" "$@"
  else
    "$TOOLS/bin/podman-compose" --podman-path podman -p "$PROJECT" "$@"
  fi
}

cmd_setup() {
  if [ "$ENGINE" = podman ]; then
    local need=()
    # netavark 1.4 (bookworm) sets up container networks with the iptables binaries.
    for pkg in podman runc netavark aardvark-dns iptables debootstrap; do
      dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    if [ ${#need[@]} -gt 0 ]; then
      log "apt-get install ${need[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fi
    if [ ! -x "$TOOLS/bin/podman-compose" ]; then
      log "podman-compose into $TOOLS"
      python3 -m venv "$TOOLS"
      "$TOOLS/bin/pip" install -q 'podman-compose==1.6.0'
    fi
  fi
}

# A label with the hash of everything an image is made from: an image whose label
# matches is not built again (podman's store persists between runs on one machine).
inputs_hash() { # files... (relative to the repository), then extra strings after --
  local files=() extra=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
  [ $# -gt 0 ] && shift && extra=("$@")
  {
    git ls-files -co --exclude-standard -- "${files[@]}" | grep -vE '(^|/)(node_modules|out|\.next|tests|e2e)/' \
      | sort | while read -r f; do [ -f "$f" ] && sha256sum "$f"; done
    printf '%s\n' "${extra[@]}"
  } | sha256sum | cut -c1-16
}

image_label() { # image -> its sightline.inputs label, or nothing
  $ENGINE image inspect --format '{{ index .Config.Labels "sightline.inputs" }}' "$1" 2>/dev/null || true
}

# ---- local bases ---------------------------------------------------------------------

debootstrap_root() { # name packages -> $BASES_DIR/name, a fresh Debian root
  local dir="$BASES_DIR/$1"
  rm -rf "$dir" && mkdir -p "$BASES_DIR/debs"
  log "debootstrap $1 ($2)"
  nice -n 10 debootstrap --variant=minbase --cache-dir="$BASES_DIR/debs" --include="$2" \
    bookworm "$dir" "$MIRROR" >"$BASES_DIR/$1.log" 2>&1 || {
    tail -20 "$BASES_DIR/$1.log" >&2
    return 1
  }
  # The host's CA bundle: this machine reaches PyPI and npm through a proxy with its
  # own CA, which pip and npm inside a build must trust.
  [ -f "$HOST_CA" ] && cp "$HOST_CA" "$dir/etc/ssl/certs/ca-certificates.crt"
  # Nothing an image needs: apt's lists and caches, documentation, man pages.
  rm -rf "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* \
    "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/var/log/*.log "$dir"/debootstrap
}

import_root() { # dir image label changes...
  local dir="$1" image="$2" label="$3"
  shift 3
  local changes=(--change "LABEL=sightline.inputs=$label")
  for c in "$@"; do changes+=(--change "$c"); done
  local previous
  previous=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  tar -C "$dir" --numeric-owner -c . | podman import -q "${changes[@]}" - "$image" >/dev/null
  # The image it replaces, unless something still uses it.
  [ -z "$previous" ] || podman rmi "$previous" >/dev/null 2>&1 || true
  log "$image: $(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec) (imported)"
}

cmd_bases() {
  [ "$BASES" = local ] || { log "BASES=$BASES: the Dockerfiles' public bases are pulled"; return 0; }
  # A base is made again when its packages, its entrypoint or BASES_VERSION change
  # (raise it when what is done to a root here changes).
  local script_hash
  script_hash="v$BASES_VERSION-$(inputs_hash deploy/containers/nginx-entrypoint.sh deploy/containers/postgres-entrypoint.sh)"

  # python:3.11-slim's stand-in: Debian's Python 3.11, venv, `python`.
  local label="py-$script_hash-$PY_PACKAGES"
  if [ "$(image_label "$PY_BASE")" != "$label" ]; then
    local t0=$SECONDS
    debootstrap_root python "$PY_PACKAGES"
    import_root "$BASES_DIR/python" "$PY_BASE" "$label" \
      "ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "ENV=LANG=C.UTF-8" \
      "ENV=PIP_CERT=/etc/ssl/certs/ca-certificates.crt" "CMD=[\"python3\"]"
    log "python base in $((SECONDS - t0)) s"
  fi

  # node:20-slim's stand-in for the dashboard's build stage: the Python base plus the
  # host's Node (Debian's is 18; the dashboard needs 20).
  local node_version
  node_version=$(node --version 2>/dev/null || echo none)
  case "$node_version" in v2[0-9].* | v[3-9][0-9].*) ;; *)
    echo "The dashboard's build needs Node >= 20 on this machine (found: $node_version)" >&2
    return 1
    ;;
  esac
  label="node-$script_hash-$node_version-$(image_label "$PY_BASE")"
  if [ "$(image_label "$NODE_BASE")" != "$label" ]; then
    local t0=$SECONDS dir="$BASES_DIR/node"
    [ -d "$BASES_DIR/python" ] || debootstrap_root python "$PY_PACKAGES"
    rm -rf "$dir" && cp -a "$BASES_DIR/python" "$dir"
    # node and npm as installed here (a package or a tarball): bin/node and
    # lib/node_modules/npm beside it, with the npm and npx links.
    local node_bin prefix
    node_bin=$(readlink -f "$(command -v node)")
    prefix=$(dirname "$(dirname "$node_bin")")
    mkdir -p "$dir/usr/local/bin" "$dir/usr/local/lib/node_modules"
    cp "$node_bin" "$dir/usr/local/bin/node"
    cp -a "$prefix/lib/node_modules/npm" "$dir/usr/local/lib/node_modules/npm"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
    import_root "$dir" "$NODE_BASE" "$label" \
      "ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "ENV=LANG=C.UTF-8" \
      "ENV=NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" "CMD=[\"node\"]"
    rm -rf "$dir"
    log "node base in $((SECONDS - t0)) s"
  fi

  # nginxinc/nginx-unprivileged's stand-in: Debian's nginx, uid 101, and an entrypoint
  # that fills templates the same way (NGINX_ENVSUBST_*).
  label="nginx-$script_hash-$NGINX_PACKAGES"
  if [ "$(image_label "$NGINX_IMAGE_LOCAL")" != "$label" ]; then
    local t0=$SECONDS dir="$BASES_DIR/nginx"
    debootstrap_root nginx "$NGINX_PACKAGES"
    echo 'nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin' >>"$dir/etc/passwd"
    echo 'nginx:x:101:' >>"$dir/etc/group"
    install -m 755 deploy/containers/nginx-entrypoint.sh "$dir/docker-entrypoint.sh"
    ln -sf /bin/busybox "$dir/usr/local/bin/wget" # the health checks' wget, as in the alpine images
    mkdir -p "$dir/var/log/nginx" "$dir/var/lib/nginx"
    chown -R 101:101 "$dir/var/log/nginx" "$dir/var/lib/nginx"
    import_root "$dir" "$NGINX_IMAGE_LOCAL" "$label" \
      "ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      "ENTRYPOINT=[\"/docker-entrypoint.sh\"]" "CMD=[\"nginx\"]" \
      "USER=101" "EXPOSE=8080"
    rm -rf "$dir"
    log "nginx image in $((SECONDS - t0)) s"
  fi

  # postgres's stand-in: Debian's PostgreSQL 15, with an entrypoint that reads the
  # official image's POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB and PGDATA.
  label="pg-$script_hash-$POSTGRES_PACKAGES"
  if [ "$(image_label "$POSTGRES_IMAGE_LOCAL")" != "$label" ]; then
    local t0=$SECONDS dir="$BASES_DIR/postgres"
    debootstrap_root postgres "$POSTGRES_PACKAGES"
    rm -rf "$dir/var/lib/postgresql/15/main" "$dir/etc/postgresql/15/main"
    install -m 755 deploy/containers/postgres-entrypoint.sh "$dir/docker-entrypoint.sh"
    mkdir -p "$dir/var/lib/postgresql/data" "$dir/var/run/postgresql"
    chroot "$dir" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
    import_root "$dir" "$POSTGRES_IMAGE_LOCAL" "$label" \
      "ENV=PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      "ENV=PGDATA=/var/lib/postgresql/data" "ENV=LANG=C.UTF-8" \
      "ENTRYPOINT=[\"/docker-entrypoint.sh\"]" "CMD=[\"postgres\"]" "USER=postgres" \
      "EXPOSE=5432" "VOLUME=/var/lib/postgresql/data"
    rm -rf "$dir"
    log "postgres image in $((SECONDS - t0)) s"
  fi
}

# ---- the application's images ------------------------------------------------------

build_image() { # image label dockerfile context build-args...
  local image="$1" label="$2" dockerfile="$3" context="$4"
  shift 4
  if [ "$(image_label "$image")" = "$label" ]; then
    log "$image: up to date ($label)"
    return 0
  fi
  local t0=$SECONDS args=()
  for a in "$@"; do args+=(--build-arg "$a"); done
  log "building $image"
  # --network host: pip and npm reach their registries as the host does.
  nice -n 10 $ENGINE build --network host --label "sightline.inputs=$label" "${args[@]}" \
    -f "$dockerfile" -t "$image" "$context"
  log "$image built in $((SECONDS - t0)) s: $($ENGINE image inspect --format '{{.Size}}' "$image" | numfmt --to=iec)"
}

cmd_images() {
  cmd_bases
  local backend_args=() web_args=() base_ids=""
  if [ "$BASES" = local ]; then
    backend_args=("BASE_IMAGE=$PY_BASE")
    web_args=("NODE_IMAGE=$NODE_BASE" "NGINX_IMAGE=$NGINX_IMAGE_LOCAL")
    base_ids="$(image_label "$PY_BASE") $(image_label "$NODE_BASE") $(image_label "$NGINX_IMAGE_LOCAL")"
  fi
  build_image localhost/sightline-backend:latest \
    "$(inputs_hash backend README.md models/cifar10 deploy/Procfile.container .dockerignore -- "$BASES" "$base_ids")" \
    backend/Dockerfile . "${backend_args[@]}"
  build_image localhost/sightline-web:latest \
    "$(inputs_hash frontend -- "$BASES" "$base_ids")" \
    frontend/Dockerfile frontend "${web_args[@]}"
}

cmd_sizes() {
  local images=(localhost/sightline-backend:latest localhost/sightline-web:latest)
  [ "$BASES" = local ] && images+=("$PY_BASE" "$NODE_BASE" "$NGINX_IMAGE_LOCAL" "$POSTGRES_IMAGE_LOCAL")
  for image in "${images[@]}"; do
    printf '%-48s %s\n' "$image" "$($ENGINE image inspect --format '{{.Size}}' "$image" 2>/dev/null | numfmt --to=iec || echo missing)"
  done
}

# ---- the stack -----------------------------------------------------------------------

stack_env() {
  if [ "$BASES" = local ]; then
    export SIGHTLINE_POSTGRES_IMAGE="$POSTGRES_IMAGE_LOCAL"
    export SIGHTLINE_NGINX_IMAGE="$NGINX_IMAGE_LOCAL"
    # Debian's nginx (1.22) has no `resolve` on upstream servers: it resolves the
    # service names once at start, to every replica's address.
    export SIGHTLINE_NGINX_RESOLVER="# names resolved at start (nginx < 1.27.3)"
    export SIGHTLINE_NGINX_API_SERVERS="server api:8000 max_fails=1 fail_timeout=5s;"
    export SIGHTLINE_NGINX_WEB_SERVER="server web:3000;"
  fi
}

wait_for() { # what seconds command...
  local what="$1" limit="$2" t0=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - t0)) -ge "$limit" ]; then
      log "$what: not ready after $limit s"
      return 1
    fi
    sleep 2
  done
  log "$what: ready in $((SECONDS - t0)) s"
}

containers_of() { # service -> its containers' names
  $ENGINE ps -a --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}'
}

healthy() { # container: run its healthcheck now (podman runs them on a systemd timer)
  if [ "$ENGINE" = podman ]; then
    podman healthcheck run "$1"
  else
    [ "$(docker inspect --format '{{.State.Health.Status}}' "$1")" = healthy ]
  fi
}

cmd_up() {
  local replicas="${1:-2}" port="${2:-8080}"
  export PORT="$port" PUBLIC_URL="${PUBLIC_URL:-http://localhost:$port}"
  stack_env
  cmd_images
  # A stack already up is replaced; its database (the named volume) is kept.
  local old
  old=$($ENGINE ps -aq --filter "label=com.docker.compose.project=$PROJECT")
  [ -z "$old" ] || $ENGINE rm -f -v $old 2>&1 >/dev/null | grep -v "systemd connection" >&2 || true
  # podman-compose on podman < 4.6 ignores `condition: service_healthy`, so the order
  # is kept here, one step at a time (the same order `docker compose up` follows).
  compose up -d --no-build --no-deps postgres
  local pg
  pg=$(containers_of postgres | head -1)
  wait_for postgres 120 $ENGINE exec "$pg" pg_isready -U sightline -d sightline
  compose up --no-build --no-deps migrate >/dev/null
  local migrate status
  migrate=$(containers_of migrate | head -1)
  status=$($ENGINE inspect --format '{{.State.ExitCode}}' "$migrate")
  $ENGINE logs "$migrate" 2>&1 | tail -5 >&2
  [ "$status" = 0 ] || { log "migrate exited with $status"; return 1; }
  compose up -d --no-build --no-deps --scale "api=$replicas" api worker web
  local c
  for c in $(containers_of api) $(containers_of web); do
    wait_for "$c" 300 healthy "$c"
  done
  compose up -d --no-build --no-deps nginx
  wait_for "nginx on :$port" 60 curl -fsS "http://127.0.0.1:$port/health"
  wait_for "dashboard on :$port" 30 curl -fsS "http://127.0.0.1:$port/"
  log "Sightline on http://localhost:$port ($replicas API replicas): $(containers_of api | xargs)"
}

cmd_down() {
  stack_env
  # The containers first, with their anonymous volumes (each backend container's /data,
  # VOLUME in backend/Dockerfile), which carry no project label to find them by later.
  local left
  left=$($ENGINE ps -aq --filter "label=com.docker.compose.project=$PROJECT")
  [ -z "$left" ] || $ENGINE rm -f -v $left 2>&1 >/dev/null | grep -v "systemd connection" >&2 || true
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  # Whatever a failed or interrupted `up` left: volumes and networks.
  left=$($ENGINE volume ls -q --filter "label=com.docker.compose.project=$PROJECT")
  [ -z "$left" ] || $ENGINE volume rm -f $left >/dev/null
  left=$($ENGINE network ls -q --filter "label=com.docker.compose.project=$PROJECT")
  [ -z "$left" ] || $ENGINE network rm -f $left >/dev/null
  local remaining
  remaining=$(
    $ENGINE ps -aq --filter "label=com.docker.compose.project=$PROJECT"
    $ENGINE volume ls -q --filter "label=com.docker.compose.project=$PROJECT"
    $ENGINE network ls -q --filter "label=com.docker.compose.project=$PROJECT"
  )
  [ -z "$remaining" ] || { log "left behind: $remaining"; return 1; }
  log "no container, volume or network of project $PROJECT is left"
}

cmd_status() {
  $ENGINE ps -a --filter "label=com.docker.compose.project=$PROJECT" \
    --format '{{.Names}}\t{{.Status}}\t{{.Ports}}'
}

case "${1:-}" in
  setup) cmd_setup ;;
  bases) cmd_setup && cmd_bases ;;
  images) cmd_setup && cmd_images && cmd_sizes ;;
  sizes) cmd_sizes ;;
  up) cmd_setup && cmd_up "${2:-2}" "${3:-8080}" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  compose) shift && stack_env && compose "$@" ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

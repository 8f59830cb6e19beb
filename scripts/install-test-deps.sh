#!/usr/bin/env bash
# Installs what the end-to-end tests and `depot-bench compare` drive: Debian clients/peers
# (skopeo umoci podman buildah docker-registry nginx wrk slapd ldap-utils) and verdaccio 6.8.0
# into .test-deps/.
# Idempotent and quick when everything is present; `apt-get update` runs only when something is
# missing; serialized with flock so concurrent callers wait for one another. Needs root for apt;
# without root it only prints what it would install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="${DEPOT_TEST_DEPS:-$ROOT/.test-deps}"
VERDACCIO_VERSION=6.8.0
LOCK="${DEPOT_TEST_DEPS_LOCK:-/tmp/depot-install-test-deps.lock}"

# binary -> Debian package
declare -A WANT=(
  [skopeo]=skopeo [umoci]=umoci [podman]=podman [buildah]=buildah [docker-registry]=docker-registry
  [nginx]=nginx-light
  [wrk]=wrk [slapd]=slapd [ldapsearch]=ldap-utils
)

missing_packages() {
  local bin
  for bin in "${!WANT[@]}"; do
    if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then echo "${WANT[$bin]}"; fi
  done | sort -u
}

verdaccio_ok() {
  [ -f "$DEPS/verdaccio/node_modules/verdaccio/package.json" ] &&
    node -e 'process.exit(require(process.argv[1]).version===process.argv[2]?0:1)' \
      "$DEPS/verdaccio/node_modules/verdaccio/package.json" "$VERDACCIO_VERSION"
}

install_apt() (
  # A subshell, so the EXIT trap below cleans up even when apt-get fails under `set -e`.
  local pkgs=("$@")
  export DEBIAN_FRONTEND=noninteractive
  # slapd asks questions at install time: answer them from our own copy of the preseed.
  if printf '%s\n' "${pkgs[@]}" | grep -qx slapd; then debconf-set-selections < "$ROOT/scripts/slapd.preseed"; fi
  # Do not let postinst scripts start nginx/slapd as system services (port 80/389): tests start
  # private instances on loopback ports. Only add the policy when none exists, and remove it after.
  local policy=/usr/sbin/policy-rc.d added=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; added=1; fi
  if [ "$added" = 1 ]; then trap 'rm -f /usr/sbin/policy-rc.d' EXIT; fi
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${pkgs[@]}"
)

install_verdaccio() {
  mkdir -p "$DEPS/verdaccio"
  # The registry mirror serves only `latest` dist-tags; verdaccio-audit asks for node-fetch@cjs,
  # so pin it; verdaccio 6.9+ needs Node 22 (LAB.md).
  cat > "$DEPS/verdaccio/package.json" <<JSON
{
  "name": "depot-test-deps-verdaccio",
  "private": true,
  "dependencies": { "verdaccio": "$VERDACCIO_VERSION" },
  "overrides": { "verdaccio-audit": { "node-fetch": "2.7.0" } }
}
JSON
  (cd "$DEPS/verdaccio" && npm install --no-audit --no-fund --loglevel=error)
}

main() {
  mapfile -t pkgs < <(missing_packages)
  local need_verdaccio=0
  verdaccio_ok || need_verdaccio=1
  if [ "${#pkgs[@]}" -eq 0 ] && [ "$need_verdaccio" = 0 ]; then
    echo "install-test-deps: everything present"
    return 0
  fi
  if [ "${#pkgs[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "install-test-deps: not root; would run: apt-get update && apt-get install --no-install-recommends ${pkgs[*]}" >&2
    else
      echo "install-test-deps: installing ${pkgs[*]}"
      install_apt "${pkgs[@]}"
    fi
  fi
  if [ "$need_verdaccio" = 1 ]; then
    echo "install-test-deps: installing verdaccio $VERDACCIO_VERSION into $DEPS/verdaccio"
    install_verdaccio
  fi
}

# Serialize concurrent runs (two test workers, CI and a developer). A lock file another user owns
# and we cannot open just means running unserialized.
if { exec 9>>"$LOCK"; } 2>/dev/null; then
  chmod 0666 "$LOCK" 2>/dev/null || true
  flock 9
fi
main

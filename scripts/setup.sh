#!/usr/bin/env bash
# Installs everything Handover needs on a Debian/Ubuntu machine that has only Node and npm,
# builds it, and (unless --no-demo) runs the main job: the demo.
#   Debian packages: redis-server (embedded Redis), libcoap3-bin (independent CoAP/DTLS peers in
#   tests), libxml2-utils (xmllint for DDF validation), softhsm2 (PKCS#11 CA keys), openssl,
#   g++/make/python3 (node-gyp for the DTLS addon).
set -euo pipefail
cd "$(dirname "$0")/.."

run_demo=1
demo_args=()
for a in "$@"; do
  case "$a" in
    --no-demo) run_demo=0 ;;
    *) demo_args+=("$a") ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is required (found $(node -v 2>/dev/null || echo none))."; exit 1
fi

# Debian package -> a file it provides, to tell whether it is installed.
declare -A PKGS=(
  [redis-server]=/usr/bin/redis-server
  [libcoap3-bin]=/usr/bin/coap-client-openssl
  [libxml2-utils]=/usr/bin/xmllint
  [softhsm2]=/usr/bin/softhsm2-util
  [openssl]=/usr/bin/openssl
  [g++]=/usr/bin/g++
  [make]=/usr/bin/make
  [python3]=/usr/bin/python3
)
missing=()
for p in "${!PKGS[@]}"; do
  [ -e "${PKGS[$p]}" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
  fi
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    if command -v apt-get >/dev/null; then
      say "installing Debian packages: ${missing[*]}"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      say "apt-get not found: install these packages with your system's package manager: ${missing[*]}"; exit 1
    fi
  else
    say "these Debian packages are missing and I cannot install them without root: ${missing[*]}"
    say "run: sudo apt-get install -y ${missing[*]}   (or set REDIS_URL to use an existing Redis)"
    exit 1
  fi
fi

say "installing npm dependencies (from package-lock.json; builds the DTLS addon)"
# npm install, not npm ci: npm 11's ci refuses this lock file because of platform-specific
# optional packages (cbor-extract's prebuilt binaries) that a lock without resolved URLs omits.
npm install --no-fund --no-audit --loglevel=error
say "building"
npm run --silent build

if [ "$run_demo" -eq 1 ]; then
  say "running the demo"
  node scripts/handover.js demo "${demo_args[@]}"
fi

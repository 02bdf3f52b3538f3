#!/usr/bin/env bash
# Runs every SseChat test. The browser tests drive Debian's Chromium (with a Chinese font) and the deploy tests put
# Debian's nginx in front of the app, so these are installed first when missing; everything else (SQLite files,
# Kestrel servers and nginx processes on 127.0.0.1) the tests create and remove themselves.
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Browser".
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing Chromium for the browser tests"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "test.sh: installing nginx for the deploy tests"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx >/dev/null
fi

# The Chinese pages' layout tests (360 px phones) measure real glyphs, not the empty boxes Chromium draws without a
# CJK font.
if [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "test.sh: installing a Chinese font for the browser tests"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null
fi

exec dotnet test SseChat.sln "$@"

#!/usr/bin/env bash
# Runs every SseChat test, twice: once on SQLite (all tests) and once more on PostgreSQL (all but the browser tests
# and the tests traited Database=SqliteOnly). The browser tests drive Debian's Chromium (with a Chinese font), the
# deploy tests put Debian's nginx in front of the app, and the tests start their own PostgreSQL and Redis servers
# from Debian's packages, so these are installed first when missing; everything else (SQLite files, databases,
# Kestrel servers, nginx, PostgreSQL and Redis processes on 127.0.0.1) the tests create and remove themselves.
# Extra arguments go to both `dotnet test` runs, e.g. ./test.sh --filter "FullyQualifiedName~Chat".
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

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "test.sh: installing PostgreSQL for the PostgreSQL test run"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing Redis for the backplane tests"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi

# Both runs always run, so both summaries print; the script fails if either failed.
status=0
dotnet test SseChat.sln "$@" || status=$?

# The PostgreSQL run leaves out the browser tests (they exercise the page, not the database), the tests that are
# about SQLite itself, and the fleet tests (they run on PostgreSQL in the first run already); a --filter given to this
# script narrows it further.
postgres_filter="FullyQualifiedName!~SseChat.Tests.Browser.&FullyQualifiedName!~SseChat.Tests.Fleet.&Database!=SqliteOnly"
postgres_arguments=()
arguments=("$@")
for ((i = 0; i < ${#arguments[@]}; i++)); do
  case "${arguments[i]}" in
    --filter) i=$((i + 1)); postgres_filter="(${arguments[i]})&${postgres_filter}" ;;
    --filter=*) postgres_filter="(${arguments[i]#--filter=})&${postgres_filter}" ;;
    *) postgres_arguments+=("${arguments[i]}") ;;
  esac
done
echo "test.sh: the tests again on PostgreSQL (SSECHAT_TEST_DATABASE=Postgres)"
SSECHAT_TEST_DATABASE=Postgres dotnet test SseChat.Tests --no-build --filter "$postgres_filter" "${postgres_arguments[@]}" \
  || status=$?

exit "$status"

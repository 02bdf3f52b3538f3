#!/usr/bin/env bash
# How long the room page takes per live message over a long day (bench/SseChat.ListBench): publishes SseChat.Web in
# Release, then posts 5,000 messages into an open page in Debian's Chromium and prints the page's handling time per
# block of 500. Options: --messages N, --batch N, --block N, --cap N (Chat:RoomPageMessageCap), --chromium PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

artifacts=bench/artifacts
dotnet publish SseChat.Web/SseChat.Web.csproj -c Release -o "$artifacts/web" --nologo -v quiet
dotnet build bench/SseChat.ListBench/SseChat.ListBench.csproj -c Release --nologo -v quiet

exec dotnet bench/SseChat.ListBench/bin/Release/net10.0/SseChat.ListBench.dll --web "$artifacts/web" "$@"

#!/usr/bin/env bash
# The benchmark in one command: builds SseChat and the bench in Release, then runs every scenario against SseChat
# and both baselines, each server pinned to core 0 and the load to core 1. Results go to docs/benchmarks/.
# Options (see --help): --quick, --runs N, --scenario fanout,throughput,resume, --servers ..., --subscribers ...
set -euo pipefail
cd "$(dirname "$0")/.."

artifacts=bench/artifacts
dotnet publish SseChat.Web/SseChat.Web.csproj -c Release -o "$artifacts/web" --nologo -v quiet
dotnet build bench/SseChat.Bench/SseChat.Bench.csproj -c Release --nologo -v quiet

# 19,000 subscribers need as many sockets in the server and, split over several load processes, in the load.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec taskset -c 1 dotnet bench/SseChat.Bench/bin/Release/net10.0/SseChat.Bench.dll --web "$artifacts/web" "$@"

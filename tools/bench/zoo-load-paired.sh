#!/usr/bin/env bash
# Paired load runs of two revisions (docs/scale.md, "Load with a cached page"): checks out each revision in turn in
# this checkout, builds the app and runs tools/bench/zoo-load.ts on the kept scale database, ROUNDS times, then
# returns to the branch it started on. Needs a clean work tree. Both revisions run the same load script: the one of
# the revision checked out.
#
#   bash tools/bench/zoo-load-paired.sh BEFORE AFTER [ROUNDS=2] [CLIENTS=20] [SECONDS=30]
set -euo pipefail
before=${1:?usage: zoo-load-paired.sh BEFORE AFTER [ROUNDS] [CLIENTS] [SECONDS]}
after=${2:?usage: zoo-load-paired.sh BEFORE AFTER [ROUNDS] [CLIENTS] [SECONDS]}
rounds=${3:-2}
clients=${4:-20}
seconds=${5:-30}
cd "$(dirname "$0")/../.."
if [ -n "$(git status --porcelain)" ]; then
  echo "zoo-load-paired: the work tree has changes; commit or stash them first" >&2
  exit 2
fi
start=$(git rev-parse --abbrev-ref HEAD)
trap 'git checkout -q "$start"' EXIT
for round in $(seq 1 "$rounds"); do
  for rev in "$before" "$after"; do
    git checkout -q "$rev"
    npx next build > /dev/null 2>&1
    echo "== $rev round $round $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    timeout 300 npx tsx tools/bench/zoo-load.ts --clients "$clients" --seconds "$seconds" 2>&1 | tail -5
  done
done

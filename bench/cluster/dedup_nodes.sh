#!/usr/bin/env bash
# Dedup quality when several nodes ingest one corpus into one PostgreSQL database at once
# (issue #18): for each node count, a fresh database on a private server and
# `bench/dedup-quality CORPUS --nodes N --database URL` (sources split by claims).
#   bench/cluster/dedup_nodes.sh CORPUS_DIR [NODE_COUNTS...]     (default: 1 3)
# CORPUS_DIR: python3 ../shared/bench/gen_corpus.py --out DIR --feeds 2000 --seed 1
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
corpus="${1:?usage: bench/cluster/dedup_nodes.sh CORPUS_DIR [NODE_COUNTS...]}"
shift
counts=("${@:-1 3}")
if [ -z "${TINHOP_BENCH_PG_ADMIN:-}" ]; then
  exec "$root/bench/pg/with-postgres" "$0" "$corpus" "${counts[@]}"
fi
for n in ${counts[*]}; do
  psql -X -q -d "$TINHOP_BENCH_PG_ADMIN" -c "CREATE DATABASE dedup_nodes_$n"
  echo "== $n node(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  BASELINES=0 "$root/bench/dedup-quality" "$corpus" --nodes "$n" \
    --database "${TINHOP_BENCH_PG_ADMIN%/*}/dedup_nodes_$n"
done

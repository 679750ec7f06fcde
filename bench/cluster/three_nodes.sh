#!/bin/sh
# Three `tinhop serve` nodes over one private PostgreSQL share 2,000 sources polled once a
# minute (issue #18, scheduling; docs/operations.md, "Several nodes"): the multi-node test of
# tests/cli/cluster_test.cpp at full size, about five minutes. Needs PostgreSQL installed.
#   bench/cluster/three_nodes.sh [build/release]
set -eu
build=${1:-build/release}
exec nice "$build/tests/test_cli" "[cluster-bench]" --durations yes

#!/bin/sh
# Parse benchmark in one run: tinhop parse_feed and pugixml (parse_bench), then
# python3-feedparser over the same corpus. Prints both medians and the ratios.
#
#   bench/parse/run.sh BUILD_DIR [CORPUS_DIR]
#
# CORPUS_DIR defaults to /tmp/tinhop-bench-corpus, generated on first use with
#   python3 ../shared/bench/gen_corpus.py --out DIR --feeds 2000 --seed 1
set -eu
build=${1:?usage: run.sh BUILD_DIR [CORPUS_DIR]}
corpus=${2:-/tmp/tinhop-bench-corpus}
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../../.." && pwd)/shared/bench
if [ ! -f "$corpus/manifest.json" ]; then
  python3 "$shared/gen_corpus.py" --out "$corpus" --feeds 2000 --seed 1 >/dev/null
fi
ours=$("$build/bench/parse_bench" "$corpus" "${REPEAT:-3}" | tail -n 1)
peer=$(/usr/bin/python3 "$shared/bench_feedparser.py" "$corpus" --repeat "${PEER_REPEAT:-1}" | tail -n 1)
echo "$ours"
echo "$peer"
python3 - "$ours" "$peer" <<'PY'
import json, sys
ours = json.loads(sys.argv[1])["median"]
peer = json.loads(sys.argv[2])["median"]
print(json.dumps({
    "tinhop_MB_s": ours["tinhop_parse_MB_s"],
    "pugixml_parse_walk_MB_s": ours["pugixml_parse_walk_MB_s"],
    "feedparser_MB_s": peer["MB_per_s"],
    "ratio_to_pugixml": round(ours["ratio_to_pugixml"], 3),
    "ratio_to_feedparser": round(ours["tinhop_parse_MB_s"] / peer["MB_per_s"], 1),
}))
PY

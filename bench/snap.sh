#!/usr/bin/env bash
# bench/snap.sh BINARY OUTDIR: loopsafe's outputs (JSON, text by reach, the unsafe fixes'
# diff, the report) on every corpus project (bench/corpus.py; CORPUS=DIR for another),
# every fixture and the example, for before/after comparison: `diff -r OUT1 OUT2`.
set -u
bin=$(realpath "$1"); out=$2; mkdir -p "$out"
repo=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
targets=()
for d in ${CORPUS:-$repo/bench/.work/corpus}/*/; do n=$(basename "$d"); [ "$n" = wheels ] && continue; targets+=("$d"); done
for f in "$repo"/crates/loopsafe_core/resources/test/fixtures/* "$repo"/crates/loopsafe_core/resources/test/fixes/* "$repo"/examples/sales_calls; do targets+=("$f"); done
for t in "${targets[@]}"; do
  n=$(basename "$t"); n=${n%.py}
  [ -e "$out/$n.json" ] && n="$n-$(echo "${t#$repo/}" | md5sum | cut -c1-6)"
  cd "$(dirname "$t")"
  b=$(basename "$t")
  LOOPSAFE_NO_CACHE=1 "$bin" check --no-cache --output-format json --exit-zero "$b" > "$out/$n.json" 2>"$out/$n.err"
  LOOPSAFE_NO_CACHE=1 "$bin" check --no-cache --exit-zero --sort reach "$b" > "$out/$n.txt" 2>>"$out/$n.err"
  LOOPSAFE_NO_CACHE=1 "$bin" check --no-cache --exit-zero --diff --unsafe-fixes "$b" > "$out/$n.diff" 2>>"$out/$n.err"
  LOOPSAFE_NO_CACHE=1 "$bin" report --no-cache --date 2026-01-01 "$b" > "$out/$n.report.md" 2>>"$out/$n.err"
done
echo "snap: ${#targets[@]} targets into $out"

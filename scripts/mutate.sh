#!/usr/bin/env bash
# Mutation check: break the statistics on purpose, one way at a time, and confirm a property test fails.
# Each mutant is applied to a scratch copy of src/ and tests/; the working tree is never touched.
#
#   bash scripts/mutate.sh
set -uo pipefail
cd "$(dirname "$0")/.."
deno=${DENO:-"npx -y deno@2.9.6"}
# file | exact text | replacement | what the mutant does
mutants=(
  "src/core/histogram.ts|v < l.subBucketCount ? 0 : floorLog2(v) - l.subBucketHalfCountMagnitude;|v < l.subBucketCount ? 0 : floorLog2(v) - l.subBucketHalfCountMagnitude - 1;|off-by-one in the bucket index"
  "src/core/histogram.ts|for (let i = 0; i <= last; i++) counts[i]! += oc[i]!;|for (let i = 0; i < last; i++) counts[i]! += oc[i]!;|merge drops the last bucket"
  "src/core/histogram_codec.ts|const limit = indexOf(h.layout, h.maxValue) + 1;|const limit = indexOf(h.layout, h.maxValue);|codec truncates the last slot"
  "src/core/histogram.ts|const rank = Math.max(1, Math.ceil(exact - exact * Number.EPSILON * 4));|const rank = Math.max(1, Math.floor(exact));|percentile rank rounds down"
  "src/core/histogram.ts|this.m2 = m2A + other.m2 + (delta * delta * before * other.totalCount) / n;|this.m2 = m2A + other.m2;|merged variance ignores the means' difference"
  "src/core/summary.ts|for (let i = 0; i < reasons.length; i++) this.errorCounts[i]! += other.errorCounts[i]!;|for (let i = 1; i < reasons.length; i++) this.errorCounts[i]! += other.errorCounts[i]!;|summary merge drops one failure reason"
)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r deno.json deno.lock package.json src tests "$scratch/"
ln -s "$PWD/node_modules" "$scratch/node_modules"
killed=0
for m in "${mutants[@]}"; do
  IFS='|' read -r file from to what <<<"$m"
  rm -rf "$scratch/src" && cp -r src "$scratch/src"
  python3 - "$scratch/$file" "$from" "$to" <<'PY' || { echo "mutant not applied: $what"; exit 2; }
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1: sys.exit(1)
open(path, "w").write(text.replace(old, new))
PY
  failing=$(cd "$scratch" && $deno test -A tests/core/ 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -E ' \.\.\. FAILED' | sed 's/ \.\.\. FAILED.*//' | head -3 | paste -sd ';' -)
  if [ -n "$failing" ]; then
    killed=$((killed + 1))
    printf 'killed   %-45s by: %s\n' "$what" "$failing"
  else
    printf 'SURVIVED %s\n' "$what"
  fi
done
echo "$killed of ${#mutants[@]} mutants killed"
[ "$killed" -eq "${#mutants[@]}" ]

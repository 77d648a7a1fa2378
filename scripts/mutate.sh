#!/usr/bin/env bash
# Mutation check: break salvo on purpose, one way at a time (scripts/mutants.tsv), and confirm that the
# tests covering that module fail. Each mutant is applied to a scratch copy; the working tree is never
# touched. Prints killed/SURVIVED per mutant; exits non-zero when one survives or does not apply.
#
#   bash scripts/mutate.sh            # all of them (each line says how long its tests took)
#   bash scripts/mutate.sh redirect   # those whose description matches
set -uo pipefail
cd "$(dirname "$0")/.."
deno=${DENO:-"npx -y deno@2.9.6"}
filter=${1:-}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r deno.json deno.lock package.json README.md src tests "$scratch/"
ln -s "$PWD/node_modules" "$scratch/node_modules"
killed=0 total=0 failed=0
while IFS=$'\t' read -r file from to tests what; do
  case "$file" in "#"* | "") continue ;; esac
  [ -n "$filter" ] && [[ "$what" != *"$filter"* ]] && continue
  total=$((total + 1))
  rm -rf "$scratch/src" && cp -r src "$scratch/src"
  if ! python3 - "$scratch/$file" "$from" "$to" <<'PY'; then
import sys
path, old, new = (a.replace("\\n", "\n") for a in sys.argv[1:])
if new == "<removed>": new = ""
text = open(path).read()
if text.count(old) != 1: sys.exit(1)
open(path, "w").write(text.replace(old, new))
PY
    echo "NOT APPLIED $what ($file)"
    failed=$((failed + 1))
    continue
  fi
  started=$SECONDS
  # shellcheck disable=SC2086 # $tests is a list of paths, maybe with a --filter=/REGEX/ (no spaces)
  failing=$(cd "$scratch" && $deno test -A --no-check --fail-fast $tests 2>&1 | sed 's/\x1b\[[0-9;]*m//g' |
    grep -E ' \.\.\. FAILED' | sed 's/ \.\.\. FAILED.*//' | head -1)
  took=$((SECONDS - started))
  if [ -n "$failing" ]; then
    killed=$((killed + 1))
    printf 'killed   %-62s %3ds by: %s\n' "$what" "$took" "$failing"
  else
    printf 'SURVIVED %s (%s) %ds\n' "$what" "$file" "$took"
    failed=$((failed + 1))
  fi
done <scripts/mutants.tsv
echo "$killed of $total mutants killed"
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]

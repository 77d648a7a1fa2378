#!/usr/bin/env bash
# Mutation check: break salvo on purpose, one way at a time (scripts/mutants.tsv), and confirm that the
# tests covering that module fail. Each mutant is applied to a scratch copy; the working tree is never
# touched. Prints killed/SURVIVED per mutant; exits non-zero when one survives or does not apply.
#
#   bash scripts/mutate.sh            # all of them (each line says how long its tests took)
#   bash scripts/mutate.sh redirect   # those whose description matches
#   MUTANTS=other.tsv bash scripts/mutate.sh   # another table, in the same format
#
# A kill must be one. The scratch copy holds every file git knows of (tracked, or new and not
# ignored), so a test that reads the README or an example reads it there too. Before any mutant, a
# control run passes every test the table names on the unmutated copy: a file that fails there stops
# the check, naming it. A mutant counts as killed only when a test that passed in the control run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
deno=${DENO:-"npx -y deno@2.9.6"}
# The deno binary itself: npx costs ~0.6 s a call, and this makes a few hundred.
deno_bin=$($deno eval 'console.log(Deno.execPath())') || exit 1
table=${MUTANTS:-scripts/mutants.tsv}
filter=${1:-}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -f "$f" ] && mkdir -p "$scratch/$(dirname "$f")" && cp -p "$f" "$scratch/$f"
done
ln -s "$PWD/node_modules" "$scratch/node_modules"

# The rows this run checks: file, from, to, tests, what.
rows=$(grep -v -E '^(#|$)' "$table" | awk -F'\t' -v f="$filter" 'f == "" || index($5, f) > 0')
[ -n "$rows" ] || { echo "no mutant in $table matches '$filter'"; exit 1; }

# Runs deno test in the scratch copy; prints "ok NAME" or "FAILED NAME" per test.
run_tests() { # ARGS...
  # shellcheck disable=SC2068 # the table's tests column is a list of paths, maybe with --filter=/REGEX/
  (cd "$scratch" && "$deno_bin" test -A --no-check $@ 2>&1) | sed 's/\x1b\[[0-9;]*m//g' |
    sed -n -E 's/^(.*) \.\.\. (ok|FAILED).*/\2 \1/p'
}

# Control run, unmutated: each test file the rows name, once, with the union of their filters
# (the whole file when a row names it without one).
declare -A whole=() filters=()
while read -r -a words; do
  regex=""
  for w in "${words[@]}"; do [[ "$w" == --filter=/*/ ]] && regex=${w#--filter=/} && regex=${regex%/}; done
  for w in "${words[@]}"; do
    [[ "$w" == --* ]] && continue
    if [ -z "$regex" ]; then whole[$w]=1; else filters[$w]+="${filters[$w]:+|}($regex)"; fi
  done
done < <(cut -f4 <<<"$rows")
passed="$scratch/.control-passed"
: >"$passed"
started=$SECONDS
for f in $(printf '%s\n' "${!whole[@]}" "${!filters[@]}" | sort -u); do
  if [ -n "${whole[$f]:-}" ]; then out=$(run_tests "$f"); else out=$(run_tests "$f" "--filter=/${filters[$f]}/"); fi
  bad=$(grep -m1 '^FAILED ' <<<"$out" | sed 's/^FAILED //')
  if [ -n "$bad" ] || ! grep -q '^ok ' <<<"$out"; then
    echo "control run: $f fails on the unmutated code (${bad:-no test ran}); no kill can be trusted"
    exit 1
  fi
  sed -n 's/^ok //p' <<<"$out" >>"$passed"
done
echo "control run: the tests of $(printf '%s\n' "${!whole[@]}" "${!filters[@]}" | sort -u | wc -l) files pass unmutated ($((SECONDS - started))s)"

killed=0 total=0 failed=0
while IFS=$'\t' read -r file from to tests what; do
  total=$((total + 1))
  cp -p "$file" "$scratch/$file.orig"
  if ! python3 - "$scratch/$file" "$from" "$to" <<'PY'; then
import sys
path, old, new = (a.replace("\\n", "\n") for a in sys.argv[1:])
if new == "<removed>": new = ""
text = open(path).read()
if text.count(old) != 1: sys.exit(1)
open(path, "w").write(text.replace(old, new))
PY
    echo "NOT APPLIED $what ($file)"
    mv "$scratch/$file.orig" "$scratch/$file"
    failed=$((failed + 1))
    continue
  fi
  started=$SECONDS
  # --fail-fast: the first failure decides; it counts only if that test passed in the control run.
  failing=$(run_tests --fail-fast "$tests" | sed -n 's/^FAILED //p' | head -1)
  mv "$scratch/$file.orig" "$scratch/$file"
  took=$((SECONDS - started))
  if [ -n "$failing" ] && grep -qxF -- "$failing" "$passed"; then
    killed=$((killed + 1))
    printf 'killed   %-62s %3ds by: %s\n' "$what" "$took" "$failing"
  elif [ -n "$failing" ]; then
    printf 'NOT A KILL %s (%s): "%s" did not pass in the control run\n' "$what" "$file" "$failing"
    failed=$((failed + 1))
  else
    printf 'SURVIVED %s (%s) %ds\n' "$what" "$file" "$took"
    failed=$((failed + 1))
  fi
done <<<"$rows"
echo "$killed of $total mutants killed"
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]

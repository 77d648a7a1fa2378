#!/usr/bin/env bash
# Mutation check: break salvo on purpose, one way at a time (scripts/mutants.tsv), and confirm that the
# tests covering that module fail. Each mutant is applied to a scratch copy; the working tree is never
# touched. Prints killed/SURVIVED per mutant; exits non-zero when one survives or does not apply.
#
#   bash scripts/mutate.sh            # all of them (each line says how long its tests took)
#   bash scripts/mutate.sh redirect   # those whose description matches
#   MUTANTS=other.tsv bash scripts/mutate.sh   # another table, in the same format
#   MUTATE_JOBS=1 bash scripts/mutate.sh       # one mutant at a time (default: 2, a scratch copy each)
#   MUTATE_PASSED=FILE bash scripts/mutate.sh  # the control is a suite run just made on these files:
#                                              # FILE lists the names of the tests that passed (CI)
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
jobs=${MUTATE_JOBS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One scratch copy per job: every file git knows of (tracked, or new and not ignored).
for ((j = 0; j < jobs; j++)); do
  mkdir "$work/$j"
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -f "$f" ] && mkdir -p "$work/$j/$(dirname "$f")" && cp -p "$f" "$work/$j/$f"
  done
  ln -s "$PWD/node_modules" "$work/$j/node_modules"
done

# The rows this run checks: file, from, to, tests, what.
rows=$(grep -v -E '^(#|$)' "$table" | awk -F'\t' -v f="$filter" 'f == "" || index($5, f) > 0')
[ -n "$rows" ] || { echo "no mutant in $table matches '$filter'"; exit 1; }

# Runs deno test in scratch copy DIR; prints "ok NAME" or "FAILED NAME" per test.
run_tests() { # DIR ARGS...
  local dir=$1
  shift
  # shellcheck disable=SC2068 # the table's tests column is a list of paths, maybe with --filter=/REGEX/
  # A test that hangs is stopped after 5 minutes and reported as the failure "(timed out)".
  (cd "$dir" && timeout 300 "$deno_bin" test -A --no-check $@ 2>&1 || [ $? -ne 124 ] || echo "(timed out) ... FAILED") |
    sed 's/\x1b\[[0-9;]*m//g' |
    sed -n -E 's/^(.*) \.\.\. (ok|FAILED).*/\2 \1/p'
}

# Control run, unmutated: each test file the rows name, once, with the union of their filters
# (the whole file when a row names it without one); the files are shared among the jobs.
declare -A whole=() filters=()
while read -r -a words; do
  regex=""
  for w in "${words[@]}"; do [[ "$w" == --filter=/*/ ]] && regex=${w#--filter=/} && regex=${regex%/}; done
  for w in "${words[@]}"; do
    [[ "$w" == --* ]] && continue
    if [ -z "$regex" ]; then whole[$w]=1; else filters[$w]+="${filters[$w]:+|}($regex)"; fi
  done
done < <(cut -f4 <<<"$rows")
mapfile -t files < <(printf '%s\n' "${!whole[@]}" "${!filters[@]}" | sort -u)
started=$SECONDS
if [ -n "${MUTATE_PASSED:-}" ]; then
  # CI has just run the whole suite on this very tree (a clean clone: the files git knows, as
  # here); the tests that passed there are the control.
  cp "$MUTATE_PASSED" "$work/passed"
  echo "control run: the suite run before this check, on the same files ($(wc -l <"$work/passed") tests passed)"
fi
for ((j = 0; j < jobs; j++)); do
  [ -n "${MUTATE_PASSED:-}" ] && break
  for ((i = j; i < ${#files[@]}; i += jobs)); do
    f=${files[$i]}
    if [ -n "${whole[$f]:-}" ]; then out=$(run_tests "$work/$j" "$f"); else out=$(run_tests "$work/$j" "$f" "--filter=/${filters[$f]}/"); fi
    bad=$(grep -m1 '^FAILED ' <<<"$out" | sed 's/^FAILED //')
    if [ -n "$bad" ] || ! grep -q '^ok ' <<<"$out"; then printf '%s\t%s\n' "$f" "${bad:-no test ran}" >>"$work/bad.$j"; fi
    sed -n 's/^ok //p' <<<"$out" >>"$work/passed"
  done &
done
wait
if cat "$work"/bad.* >"$work/bad" 2>/dev/null && [ -s "$work/bad" ]; then
  IFS=$'\t' read -r f bad <"$work/bad"
  echo "control run: $f fails on the unmutated code ($bad); no kill can be trusted"
  exit 1
fi
[ -n "${MUTATE_PASSED:-}" ] ||
  echo "control run: the tests of ${#files[@]} files pass unmutated ($((SECONDS - started))s, $jobs jobs)"

# The mutants, shared among the jobs; each prints "N<TAB>verdict line", put back in order after.
mapfile -t lines <<<"$rows"
for ((j = 0; j < jobs; j++)); do
  for ((i = j; i < ${#lines[@]}; i += jobs)); do
    IFS=$'\t' read -r file from to tests what <<<"${lines[$i]}"
    dir="$work/$j"
    cp -p "$file" "$dir/$file.orig"
    if ! python3 - "$dir/$file" "$from" "$to" <<'PY'; then
import sys
path, old, new = (a.replace("\\n", "\n") for a in sys.argv[1:])
if new == "<removed>": new = ""
text = open(path).read()
if text.count(old) != 1: sys.exit(1)
open(path, "w").write(text.replace(old, new))
PY
      printf '%d\tNOT APPLIED %s (%s)\n' "$i" "$what" "$file"
      mv "$dir/$file.orig" "$dir/$file"
      continue
    fi
    t0=$SECONDS
    # --fail-fast: the first failure decides; it counts only if that test passed in the control run.
    failing=$(run_tests "$dir" --fail-fast "$tests" | sed -n 's/^FAILED //p' | head -1)
    mv "$dir/$file.orig" "$dir/$file"
    took=$((SECONDS - t0))
    if [ "$failing" = "(timed out)" ]; then
      printf '%d\tkilled   %-62s %3ds by: a test that no longer ends\n' "$i" "$what" "$took"
    elif [ -n "$failing" ] && grep -qxF -- "$failing" "$work/passed"; then
      printf '%d\tkilled   %-62s %3ds by: %s\n' "$i" "$what" "$took" "$failing"
    elif [ -n "$failing" ]; then
      printf '%d\tNOT A KILL %s (%s): "%s" did not pass in the control run\n' "$i" "$what" "$file" "$failing"
    else
      printf '%d\tSURVIVED %s (%s) %ds\n' "$i" "$what" "$file" "$took"
    fi
  done >"$work/out.$j" &
done
wait
sort -n -k1,1 "$work"/out.* | cut -f2- | tee "$work/all"
killed=$(grep -c '^killed ' "$work/all")
total=${#lines[@]}
echo "$killed of $total mutants killed"
[ "$killed" -eq "$total" ]

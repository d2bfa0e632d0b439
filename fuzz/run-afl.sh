#!/usr/bin/env bash
# Runs one SharpFuzz harness under AFL++ (see docs/testing.md, "Fuzzing").
#
#   fuzz/run-afl.sh <harness> [seconds] [max-execs]
#
# Needs afl-fuzz (Debian: apt-get install -y afl++); this script installs nothing system-wide. It installs the
# SharpFuzz.CommandLine 2.3.0 tool into fuzz/.tools (a local folder, said so when it does), builds Keyward.Fuzz in
# Release, copies the build to fuzz/out/<harness>/bin, instruments the harness's target assemblies there, and runs
# afl-fuzz on fuzz/corpus/<harness> for <seconds> (default 600) or until <max-execs> executions (default: no limit).
# KEYWARD_FUZZ_NO_BUILD=1 reuses an earlier build in fuzz/out/build (for running several harnesses in a row).
# Then it prints executions and crashes from AFL's fuzzer_stats, copies every crash and hang into
# fuzz/corpus/<harness>/ (afl-crash-*, afl-hang-*) so the suite replays it, and exits 1 if there was a crash.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
harness="${1:-}"
seconds="${2:-600}"
max_execs="${3:-}"
fuzz="$root/fuzz"
tools="$fuzz/.tools"
build="$fuzz/out/build"
work="$fuzz/out/$harness"
corpus="$fuzz/corpus/$harness"

if [[ -z "$harness" || ! -d "$corpus" ]]; then
  echo "usage: fuzz/run-afl.sh <harness> [seconds] [max-execs]; harnesses: $(ls "$fuzz/corpus" | tr '\n' ' ')" >&2
  exit 2
fi

if ! command -v afl-fuzz >/dev/null; then
  echo "afl-fuzz not found. Install AFL++ first (Debian/Ubuntu: sudo apt-get install -y afl++)." >&2
  exit 2
fi

if [[ ! -x "$tools/sharpfuzz" ]]; then
  echo "Installing the SharpFuzz.CommandLine 2.3.0 dotnet tool into $tools" >&2
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >&2
fi

if [[ "${KEYWARD_FUZZ_NO_BUILD:-}" == 1 && -f "$build/Keyward.Fuzz.dll" ]]; then
  echo "Reusing the build in $build (KEYWARD_FUZZ_NO_BUILD=1)" >&2
else
  echo "Building Keyward.Fuzz (Release) into $build" >&2
  dotnet build "$fuzz/Keyward.Fuzz" -c Release -v q --nologo -o "$build" >&2
fi

# A fresh copy per run: SharpFuzz rewrites assemblies in place and refuses to instrument one twice.
rm -rf "$work/bin" "$work/findings"
mkdir -p "$work"
cp -r "$build" "$work/bin"
for target in $(dotnet "$work/bin/Keyward.Fuzz.dll" targets "$harness"); do
  echo "Instrumenting $target" >&2
  "$tools/sharpfuzz" "$work/bin/$target" >&2
done

limits=(-V "$seconds")
if [[ -n "$max_execs" ]]; then
  limits+=(-E "$max_execs")
fi

# dotnet is not an AFL-instrumented binary (SharpFuzz instruments the assemblies): skip AFL's binary check. The
# timeout is fixed and generous: SharpFuzz ends the whole process when one input times out, and the first runs pay for JIT.
echo "afl-fuzz: $harness for at most ${seconds}s${max_execs:+ or $max_execs executions}" >&2
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
  afl-fuzz -i "$corpus" -o "$work/findings" -t 10000 -m none "${limits[@]}" -- dotnet "$work/bin/Keyward.Fuzz.dll" "$harness" >"$work/afl.log" 2>&1 || {
    echo "afl-fuzz failed; the last lines of $work/afl.log:" >&2
    tail -n 30 "$work/afl.log" >&2
    exit 2
  }

stats="$work/findings/default/fuzzer_stats"
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
execs="$(stat execs_done)"
crashes="$(stat saved_crashes)"
hangs="$(stat saved_hangs)"
echo "harness=$harness execs_done=$execs saved_crashes=$crashes saved_hangs=$hangs run_time=$(stat run_time)s execs_per_sec=$(stat execs_per_sec) corpus_count=$(stat corpus_count) edges_found=$(stat edges_found)"

for kind in crash hang; do
  folder="$work/findings/default/${kind}s"
  [[ "$kind" == crash ]] && folder="$work/findings/default/crashes"
  for file in "$folder"/id:*; do
    [[ -f "$file" ]] || continue
    saved="$corpus/afl-$kind-$(sha256sum "$file" | cut -c1-16)"
    cp "$file" "$saved"
    echo "saved $saved" >&2
  done
done

if [[ "${crashes:-0}" != "0" ]]; then
  echo "CRASH: $crashes input(s) crashed $harness; reproduce with: dotnet $build/Keyward.Fuzz.dll replay $harness <file>" >&2
  exit 1
fi

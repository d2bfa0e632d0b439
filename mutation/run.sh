#!/usr/bin/env bash
# Mutation testing with Stryker.NET (see docs/testing.md, "Mutation testing"). Not part of ./test.sh: it takes minutes.
#
#   mutation/run.sh [target...]        targets: aspnetcore core webauthn (default: all three, in that order)
#
# Restores the local dotnet-stryker tool (.config/dotnet-tools.json), then runs Stryker once per target with the
# config mutation/stryker-<target>.json against that target's unit test project. Reports (html, json, markdown) and
# Stryker's own log go to mutation/out/<target>/. Prints one line per target with its score and the mutant counts,
# and exits 1 if any target is under its break threshold (85) or Stryker failed.
#
# STRYKER_CONCURRENCY (default 1) sets Stryker's --concurrency: each test session is a test host process, and this
# machine is usually shared. STRYKER_ARGS adds arguments to every Stryker run (for example "--since:main").
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mutation="$root/mutation"
concurrency="${STRYKER_CONCURRENCY:-1}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(aspnetcore core webauthn)
fi

for target in "${targets[@]}"; do
  if [[ ! -f "$mutation/stryker-$target.json" ]]; then
    echo "unknown target '$target'; targets: $(cd "$mutation" && ls stryker-*.json | sed 's/stryker-\(.*\)\.json/\1/' | tr '\n' ' ')" >&2
    exit 2
  fi
done

(cd "$root" && dotnet tool restore >/dev/null) || { echo "dotnet tool restore failed (dotnet-stryker 5.1.0, .config/dotnet-tools.json)" >&2; exit 2; }

summary=()
failed=0
for target in "${targets[@]}"; do
  out="$mutation/out/$target"
  rm -rf "$out"
  mkdir -p "$out"
  echo "== $target: Stryker with --concurrency $concurrency, log in $out/stryker.log" >&2
  started=$SECONDS
  # Stryker runs from mutation/ (no solution file there), so the configs' relative paths start at mutation/.
  # shellcheck disable=SC2086
  (cd "$mutation" && dotnet tool run dotnet-stryker --config-file "stryker-$target.json" --concurrency "$concurrency" \
      --output "out/$target" ${STRYKER_ARGS:-}) >"$out/stryker.log" 2>&1
  status=$?
  elapsed=$((SECONDS - started))
  score="$(grep -o 'The final mutation score is [0-9.]* %' "$out/stryker.log" | grep -o '[0-9.]*' | tail -1)"
  counts=""
  report="$out/reports/mutation-report.json"
  if command -v jq >/dev/null && [[ -f "$report" ]]; then
    counts="$(jq -r '[.files[].mutants[].status] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$report")"
  fi

  if [[ -z "$score" ]]; then
    summary+=("$target: no score (Stryker exited $status after ${elapsed}s; see $out/stryker.log)")
    failed=1
  elif [[ $status -ne 0 ]]; then
    summary+=("$target: ${score}% UNDER THRESHOLD 85 ($counts; ${elapsed}s)")
    failed=1
  else
    summary+=("$target: ${score}% ($counts; ${elapsed}s)")
  fi
done

printf '%s\n' "${summary[@]}"
exit $failed

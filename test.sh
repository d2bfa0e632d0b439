#!/usr/bin/env bash
# Runs every test in the repository: unit, vector, property, round-trip and real-browser tests.
# The browser tests drive Debian's Chromium (/usr/bin/chromium); .ci/install-browser installs it.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing at /usr/bin/chromium: the browser tests need it. Install it with: sudo .ci/install-browser" >&2
  exit 2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

# The run directory: every log, data directory, audit export and problem body the tests write lands here
# (tests/Keyward.Testing/TestRun.cs), and the leak scan reads it all at the end. Kept when the scan finds something.
own_run_dir=false
if [ -z "${KEYWARD_TEST_RUN_DIR:-}" ]; then
  run_dir=$(mktemp -d -t keyward-run.XXXXXX)
  own_run_dir=true
else
  run_dir=$KEYWARD_TEST_RUN_DIR
  mkdir -p "$run_dir"
fi
export KEYWARD_TEST_RUN_DIR=$run_dir
echo "Test run directory: $run_dir"

# Build the whole solution once, then test what was built. `dotnet test` alone builds each test project's graph on
# its own and can start a test before the CLI's build has copied the counter sample beside keyward.dll (the
# end-to-end demo test needs it); one solution build first has no such race. Extra arguments go to `dotnet test`.
if ! dotnet build Keyward.slnx --nologo -v quiet 2>&1 | tee "$log"; then
  echo "The build failed, so no test ran." >&2
  exit 1
fi
dotnet test Keyward.slnx --no-build --nologo "$@" 2>&1 | tee "$log" || status=$?

# The leak scan (issue 16): a Keyward credential with a valid checksum, a setup-code shape or a PEM private key in
# any file of the run, outside the allow-list of files that hold secrets by design, fails the run.
if dotnet tests/Keyward.LeakScan/bin/Debug/net10.0/Keyward.LeakScan.dll "$run_dir"; then
  if [ "$own_run_dir" = true ]; then rm -rf "$run_dir"; fi
else
  echo "The leak scan found secrets in what the tests wrote; the run directory is kept: $run_dir" >&2
  status=1
fi

# One closing line for every test assembly together: "N passed, N failed, N skipped".
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(",", "");
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1);
         if ($i == "Passed:") p += $(i+1);
         if ($i == "Skipped:") s += $(i+1);
       }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"

#!/usr/bin/env bash
# Regenerates the console's screenshots in docs/console/: every pane that GET /console/panes.json lists, at 360 and
# 1440 px wide ({pane}-360.png, {pane}-1440.png), from a Keyward started with demo data (an admin, a user, a machine
# online) and driven in Debian's Chromium with the virtual authenticator. Panes added later are picked up as they are.
# Not part of ./test.sh (which skips the screenshot test, so it never changes tracked files). Commit the images after.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing at /usr/bin/chromium. Install it with: sudo .ci/install-browser" >&2
  exit 2
fi

out="$PWD/docs/console"
mkdir -p "$out"
dotnet build tests/Keyward.EndToEnd.Tests/Keyward.EndToEnd.Tests.csproj --nologo -v quiet
KEYWARD_SCREENSHOTS_DIR="$out" dotnet test tests/Keyward.EndToEnd.Tests --no-build --nologo \
  --filter "FullyQualifiedName~WebConsole.ConsoleScreenshots" --logger "console;verbosity=normal"
ls -1 "$out"/*.png

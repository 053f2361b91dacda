#!/bin/sh
# Runs one GUI test program under a virtual X server (Xvfb). Without xvfb-run the test is
# skipped: exit 77, which viz/CMakeLists.txt declares as SKIP_RETURN_CODE.
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "xvfb-run not found: skipping this GUI test (Debian: apt-get install xvfb xauth)"
  exit 77
fi
exec xvfb-run -a -s '-screen 0 1280x800x24' "$@"

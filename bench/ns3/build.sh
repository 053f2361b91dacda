#!/bin/sh
# Builds bench/ns3/ns3_dumbbell.cc against Debian 12's ns-3 3.37 (libns3-dev), with the
# flags and libraries the anchor's build.sh uses (../shared/anchors/ns3/build.sh: Debian's
# ns3-*.pc files are malformed, so the libraries are named explicitly).
#     bench/ns3/build.sh [OUT_DIR]      -> OUT_DIR/ns3_dumbbell (default build-bench/ns3)
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../../build-bench/ns3}
mkdir -p "$OUT"
MODS="applications point-to-point internet traffic-control bridge network stats core"
CXXFLAGS=${CXXFLAGS:-"-O2 -std=c++17 -Wall"}
LIBS=""
for m in $MODS; do LIBS="$LIBS -lns3-$m"; done
echo "g++ $CXXFLAGS $HERE/ns3_dumbbell.cc -o $OUT/ns3_dumbbell $LIBS"
# shellcheck disable=SC2086
g++ $CXXFLAGS "$HERE/ns3_dumbbell.cc" -o "$OUT/ns3_dumbbell" $LIBS

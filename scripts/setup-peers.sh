#!/usr/bin/env bash
# Installs the third-party peers the test suite drives, when it can, before `npm test` runs
# (package.json's pretest). Silent when everything is there; otherwise one line per fact:
# - the Debian packages below: installed with apt-get when run as root, or else one line says
#   what to run (the tests that need a missing peer fail with a message naming it);
# - IXWebSocket's `ws` tool: built once per machine (cached) by ../shared/peers/build-ixwebsocket.sh.
# RXWS_PEERS_DIR overrides where that script is looked for.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEBIAN_PEERS=(chromium python3-websockets redis-server squid tinyproxy microsocks dante-server)
peers_dir=${RXWS_PEERS_DIR:-../shared/peers}

missing=()
for pkg in "${DEBIAN_PEERS[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-peers: no apt-get here: install ${missing[*]} with your package manager (their tests fail until then)"
  elif [ "$(id -u)" != 0 ]; then
    echo "setup-peers: missing ${missing[*]}: run  sudo apt-get install -y ${missing[*]}  (their tests fail until then)"
  else
    echo "setup-peers: installing ${missing[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/tmp/rxws-setup-peers.log 2>&1; then
      echo "setup-peers: apt-get install ${missing[*]} failed (see /tmp/rxws-setup-peers.log); their tests fail until they are installed"
    fi
  fi
fi

if [ -f "$peers_dir/build-ixwebsocket.sh" ]; then
  bash "$peers_dir/build-ixwebsocket.sh" >/dev/null \
    || echo "setup-peers: building IXWebSocket's ws with $peers_dir/build-ixwebsocket.sh failed (see above); its interop tests fail until it builds"
else
  echo "setup-peers: $peers_dir/build-ixwebsocket.sh is absent, so IXWebSocket's ws is not built; its interop tests say so"
fi
exit 0

#!/usr/bin/env bash
# The serve interop tests (tests/serve_interop.rs) drive curl and lftp against the embedded
# server. Install whichever is missing, when we can (root and apt-get); never remove anything.
set -uo pipefail
missing=()
for tool in curl lftp; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-clients: ${missing[*]} missing and cannot be installed here (not root or no apt-get)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "install-clients: apt-get update failed; trying anyway"
for pkg in "${missing[@]}"; do
    # --no-remove: installing a client must never take another package away.
    apt-get install -y -qq --no-remove "$pkg" >/dev/null 2>&1 ||
        echo "install-clients: could not install $pkg"
done
exit 0

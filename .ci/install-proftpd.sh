#!/usr/bin/env bash
# Make proftpd with mod_digest (HASH, XSHA256, XMD5, XCRC …) available for the checksum sync
# tests (tests/sync_checksum.rs).
#
# Idempotent. As root, when proftpd is missing: `apt-get install proftpd-core` (without starting
# the system service) — but only if that removes nothing: proftpd conflicts with every other ftp
# server package (vsftpd, pure-ftpd), and apt would remove them to make room. Otherwise (the
# usual case in CI, where .ci/install-vsftpd.sh ran first) the package and the libraries it
# needs that are not installed are unpacked with `apt-get download` + `dpkg -x` under
# target/proftpd/, where the test harness looks for it. Debian builds mod_digest as a shared
# module (usr/lib/proftpd/mod_digest.so); the tests load it from their own config.
#
# Never fails by itself: when something cannot be installed it says why and exits 0. The tests
# then say why too: a plain `cargo test` skips them, `CI=true` fails them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 0
repo=$(pwd)
unpacked="$repo/target/proftpd"

tool=proftpd
# shellcheck source=.ci/apt-helpers.sh
. "$repo/.ci/apt-helpers.sh"
need_root_and_apt

# A proftpd binary with its mod_digest next to it: "BINARY MODULE_DIR".
find_proftpd() {
    local root
    for root in "" "$unpacked"; do
        if [ -x "$root/usr/sbin/proftpd" ] && [ -f "$root/usr/lib/proftpd/mod_digest.so" ]; then
            echo "$root/usr/sbin/proftpd $root/usr/lib/proftpd"
            return 0
        fi
    done
    return 1
}

if found=$(find_proftpd); then
    say "proftpd with mod_digest already present: $found"
    exit 0
fi

apt_update

# The library packages "$@" depend on that are not installed (and theirs, two levels down).
missing_libs() {
    local pkgs="$*" next dep all=""
    for _ in 1 2; do
        next=""
        # shellcheck disable=SC2086 # $pkgs is a list of names
        for dep in $(apt-cache depends $pkgs 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^lib/ { print $2 }' | sort -u); do
            dpkg -s "$dep" >/dev/null 2>&1 && continue
            case " $all " in *" $dep "*) continue ;; esac
            all="$all $dep"
            next="$next $dep"
        done
        [ -z "$next" ] && break
        pkgs=$next
    done
    echo "$all"
}

# Fallback: unpack proftpd-core and the libraries it lacks under target/proftpd.
unpack_proftpd() {
    local work="$repo/target/proftpd-debs" pkgs
    mkdir -p "$work" "$unpacked" || return 1
    pkgs="proftpd-core $(missing_libs proftpd-core)"
    # shellcheck disable=SC2086 # $pkgs is a list of names
    (cd "$work" && rm -f ./*.deb && apt-get download $pkgs >/tmp/install-proftpd.download.log 2>&1) || {
        say "apt-get download $pkgs failed: $(tail -n 3 /tmp/install-proftpd.download.log | tr '\n' ' ')"
        return 1
    }
    for deb in "$work"/*.deb; do
        dpkg -x "$deb" "$unpacked" || return 1
    done
    say "unpacked $pkgs into $unpacked (binary: $unpacked/usr/sbin/proftpd; libraries under $unpacked/usr/lib)"
}

removals=$(would_remove proftpd-core | tr '\n' ' ')
if [ -n "$removals" ]; then
    say "apt-get install proftpd-core would remove $removals— not installing it"
    say "falling back to apt-get download + dpkg -x"
    unpack_proftpd || say "could not unpack proftpd either"
elif apt_install proftpd-core; then
    say "installed proftpd-core with apt-get (system service not started)"
else
    say "apt-get install proftpd-core refused: $(grep -E '^E:' /tmp/install-proftpd.apt.log 2>/dev/null | head -n 3 | tr '\n' ' ')"
    say "falling back to apt-get download + dpkg -x"
    unpack_proftpd || say "could not unpack proftpd either"
fi

if found=$(find_proftpd); then
    say "proftpd with mod_digest: $found"
else
    say "proftpd with mod_digest is not available: the checksum tests will skip"
fi
exit 0

#!/usr/bin/env bash
# Make vsftpd available for the interop tests (tests/interop_vsftpd.rs).
#
# Idempotent. As root, when vsftpd is missing: `apt-get install vsftpd` (without starting the
# system service) — but only if that removes nothing: vsftpd conflicts with other ftp servers
# (pure-ftpd, proftpd), and apt would remove them to make room. A simulated install
# (`apt-get install -s`) with `Remv` lines, or a refusal, means: unpack the package with
# `apt-get download` + `dpkg -x` under target/vsftpd/ instead, where the test harness looks for
# it. Every real install also runs with `--no-remove`. Also makes sure /etc/pam.d/vsftpd (logins) and openssl (the FTPS
# test's self-signed certificate) are there.
#
# Never fails by itself: when something cannot be installed it says why and exits 0. The
# interop tests then say why too: a plain `cargo test` skips them, `CI=true` fails them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 0
repo=$(pwd)
unpacked="$repo/target/vsftpd"

tool=vsftpd
# shellcheck source=.ci/apt-helpers.sh
. "$repo/.ci/apt-helpers.sh"
need_root_and_apt

find_vsftpd() {
    if command -v vsftpd >/dev/null 2>&1; then command -v vsftpd; return 0; fi
    for p in /usr/sbin/vsftpd "$unpacked/usr/sbin/vsftpd"; do
        if [ -x "$p" ]; then echo "$p"; return 0; fi
    done
    return 1
}

# Fallback: unpack vsftpd (and any of its libraries that are not installed) under target/.
unpack_vsftpd() {
    local work="$repo/target/vsftpd-debs" pkgs dep
    mkdir -p "$work" "$unpacked" || return 1
    pkgs=vsftpd
    for dep in $(apt-cache depends vsftpd 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^lib/ { print $2 }'); do
        dpkg -s "$dep" >/dev/null 2>&1 || pkgs="$pkgs $dep"
    done
    (cd "$work" && rm -f ./*.deb && apt-get download $pkgs >/tmp/install-vsftpd.download.log 2>&1) || {
        say "apt-get download $pkgs failed: $(tail -n 3 /tmp/install-vsftpd.download.log | tr '\n' ' ')"
        return 1
    }
    for deb in "$work"/*.deb; do
        dpkg -x "$deb" "$unpacked" || return 1
    done
    say "unpacked $pkgs into $unpacked (binary: $unpacked/usr/sbin/vsftpd; libraries under $unpacked/usr/lib and $unpacked/lib)"
}

if bin=$(find_vsftpd); then
    say "vsftpd already present: $bin"
else
    apt_update
    removals=$(would_remove vsftpd | tr '\n' ' ')
    if [ -n "$removals" ]; then
        say "apt-get install vsftpd would remove $removals— not installing it"
        say "falling back to apt-get download + dpkg -x"
        unpack_vsftpd || say "could not unpack vsftpd either"
    elif apt_install vsftpd; then
        say "installed vsftpd with apt-get (system service not started)"
    else
        say "apt-get install vsftpd refused: $(grep -E '^E:' /tmp/install-vsftpd.apt.log 2>/dev/null | head -n 3 | tr '\n' ' ')"
        say "falling back to apt-get download + dpkg -x"
        unpack_vsftpd || say "could not unpack vsftpd either"
    fi
    if bin=$(find_vsftpd); then
        say "vsftpd is $bin"
    else
        say "vsftpd is not available: the interop tests will skip"
        exit 0
    fi
fi

# Logins go through PAM service "vsftpd". The package ships /etc/pam.d/vsftpd; an unpacked copy
# has it under target/vsftpd/etc/pam.d/.
if [ -f /etc/pam.d/vsftpd ]; then
    say "/etc/pam.d/vsftpd present"
elif [ -f "$unpacked/etc/pam.d/vsftpd" ]; then
    cp "$unpacked/etc/pam.d/vsftpd" /etc/pam.d/vsftpd && say "copied the package's PAM file to /etc/pam.d/vsftpd"
else
    # The same rules as the Debian package's file.
    cat >/etc/pam.d/vsftpd <<'EOF' && say "wrote /etc/pam.d/vsftpd (Debian's rules)"
# Standard behaviour for ftpd(8).
auth	required	pam_listfile.so item=user sense=deny file=/etc/ftpusers onerr=succeed
# Standard pam includes
@include common-account
@include common-session
@include common-auth
auth	required	pam_shells.so
EOF
fi

if command -v openssl >/dev/null 2>&1; then
    say "openssl present: $(command -v openssl)"
else
    apt_update
    if [ -z "$(would_remove openssl)" ] && apt_install openssl; then
        say "installed openssl with apt-get"
    else
        say "could not install openssl: the FTPS interop test will skip"
    fi
fi
exit 0

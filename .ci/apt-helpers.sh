# shellcheck shell=bash
# shellcheck disable=SC2154 # `tool` is set by the script that sources this
# Shared by the .ci/install-*.sh scripts, sourced after they set `tool` (vsftpd, proftpd):
# saying what happens, the checks that end a script early, and apt-get without side effects.

say() { echo "install-$tool: $*"; }

# End the script (status 0, nothing installed) unless we are root and have apt-get.
need_root_and_apt() {
    if [ "$(id -u)" != 0 ]; then
        say "not root: installing nothing (the $tool tests need root and will skip)"
        exit 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no apt-get on this machine: installing nothing (the $tool tests will skip)"
        exit 0
    fi
    export DEBIAN_FRONTEND=noninteractive
}

apt_updated=no
apt_update() {
    if [ "$apt_updated" = no ]; then
        say "apt-get update"
        apt-get update -qq -o DPkg::Lock::Timeout=120 >/dev/null 2>&1 || say "apt-get update failed (trying the lists we have)"
        apt_updated=yes
    fi
}

# apt-get install, without letting a package start a system-wide server on port 21: the tests
# run their own instances. A policy-rc.d that says "no" is the standard Debian way to do that.
# Never removes anything (`--no-remove`); the output goes to /tmp/install-$tool.apt.log.
apt_install() {
    local policy=/usr/sbin/policy-rc.d made_policy=no rc
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=yes
    fi
    apt-get install -y -qq --no-install-recommends --no-remove -o DPkg::Lock::Timeout=120 "$@" \
        >"/tmp/install-$tool.apt.log" 2>&1
    rc=$?
    [ "$made_policy" = yes ] && rm -f "$policy"
    return $rc
}

# The packages a real `apt-get install` of "$@" would remove (none: empty output).
would_remove() {
    apt-get install -s --no-install-recommends "$@" 2>/dev/null | awk '$1 == "Remv" { print $2 }'
}

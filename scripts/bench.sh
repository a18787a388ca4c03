#!/usr/bin/env bash
# ftpdeck against curl and lftp, side by side, in one run; every contender is a process.
#
#   scripts/bench.sh                          # full run: 1 GiB file, 20,000-entry dir, 2,000-file tree
#   BENCH_QUICK=1 BENCH_RUNS=2 scripts/bench.sh   # smoke run: 64 MiB, 2,000 entries, 200 files
#   BENCH_ONLY=big,sync scripts/bench.sh      # some contests (big,tree,sync,list,keys,memory,serve)
#
# As root it first installs what is missing (curl, lftp and python3-pyftpdlib with apt-get,
# never removing a package; vsftpd through .ci/install-vsftpd.sh, never starting its system
# service); whatever cannot be installed is skipped by the bench with a note. Then it builds the release binary, runs the bench
# (benches/compare.rs) and regenerates the README's performance table from the results.
#
# Results: bench/results.json, written only by a complete full-size run (all contests, both
# servers, BENCH_RUNS >= 5, the default); any other run writes bench/results-quick.json, so a
# smoke run never replaces real figures. The README table comes from bench/results.json, or
# from bench/results-quick.json marked as a smoke run while no full results exist.
# The bench's files (fixtures, the servers' roots, every download) live on a private ext4 with a
# journal, in RAM, when run as root: the machine's own disk adds write-back noise, and an ext4
# without a journal (this machine's root) scans every recently deleted inode on each file it
# creates, which after the harness's own clean-ups timed the file system, not the contenders
# (BENCH_FS=disk keeps them in $TMPDIR).
# Other knobs: BENCH_RUNS (timed runs per contender after a warm-up, default 5), BENCH_KEYS,
# BENCH_SERVER=vsftpd|embedded|pyftpdlib, BENCH_KEEP_LOGS=1 (see benches/compare.rs).
# The harness's self-tests: cargo test --bench compare.
set -uo pipefail
cd "$(dirname "$0")/.."

say() { echo "bench.sh: $*"; }

# pyftpdlib as the bench starts it: Debian's package is for /usr/bin/python3, which need not be
# the python3 first on the PATH.
have_pyftpdlib() {
    local py
    for py in python3 /usr/bin/python3; do
        "$py" -c 'import pyftpdlib' >/dev/null 2>&1 && return 0
    done
    return 1
}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    updated=no
    update_once() {
        [ "$updated" = yes ] && return
        apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed; trying the install anyway"
        updated=yes
    }
    missing=()
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v lftp >/dev/null 2>&1 || missing+=(lftp)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        update_once
        for pkg in "${missing[@]}"; do
            # One at a time, so one that cannot be had does not stop the others.
            apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
                say "could not install $pkg: the contests run without it"
        done
    fi
    if ! have_pyftpdlib; then
        say "installing python3-pyftpdlib (a third server for the copy contests)"
        update_once
        # --no-remove: rather no pyftpdlib than a package of this machine removed for it.
        apt-get install -y -qq --no-install-recommends --no-remove python3-pyftpdlib >/dev/null 2>&1 ||
            say "could not install python3-pyftpdlib: the bench runs without pyftpdlib"
    fi
    if [ -f .ci/install-vsftpd.sh ]; then
        # The interop tests' installer: apt-get install vsftpd without starting the system
        # service (or an unpacked copy under target/vsftpd), plus its PAM file.
        bash .ci/install-vsftpd.sh || say "vsftpd could not be installed: the embedded server stands in"
    elif ! command -v vsftpd >/dev/null 2>&1 && [ ! -x /usr/sbin/vsftpd ]; then
        say "installing vsftpd (its system service is kept from starting: the bench runs its own)"
        made_policy=no
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=yes
        fi
        apt-get install -y -qq vsftpd >/dev/null 2>&1 ||
            say "could not install vsftpd: the embedded server stands in"
        [ "$made_policy" = yes ] && rm -f /usr/sbin/policy-rc.d
    fi
else
    for tool in curl lftp vsftpd; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
            say "$tool is missing (not root or no apt-get: not installing): skipped"
    done
    have_pyftpdlib ||
        say "pyftpdlib is missing (not root or no apt-get: not installing python3-pyftpdlib): skipped"
fi

bench_fs_cleanup() {
    if [ -n "${bench_mnt:-}" ]; then
        umount "$bench_mnt" 2>/dev/null || umount -l "$bench_mnt" 2>/dev/null
        rmdir "$bench_mnt" 2>/dev/null
    fi
    [ -n "${bench_img:-}" ] && rm -f "$bench_img"
}
# The servers run in cgroups of their own, named after this run (for their CPU time). After
# an interrupted run the bench had no time to stop them: stop what is left and remove the
# groups, before the file system they serve from is unmounted.
export BENCH_GROUP_TAG="run$$"
bench_groups_cleanup() {
    local root g
    root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
    [ -n "$root" ] || return 0
    for g in "$root"/ftpdeck-bench-"$BENCH_GROUP_TAG"-*; do
        [ -d "$g" ] || continue
        if [ -e "$g/cgroup.kill" ]; then
            echo 1 >"$g/cgroup.kill" 2>/dev/null
        else
            xargs -r kill -KILL <"$g/cgroup.procs" 2>/dev/null
        fi
        for _ in $(seq 50); do
            rmdir "$g" 2>/dev/null && break
            sleep 0.1
        done
    done
}
bench_cleanup() {
    bench_groups_cleanup
    bench_fs_cleanup
}
trap bench_cleanup EXIT
trap 'bench_cleanup; exit 130' INT TERM
if [ "${BENCH_FS:-ram}" = ram ]; then
    if [ "$(id -u)" != 0 ]; then
        say "not root: the bench's files stay in ${TMPDIR:-/tmp} (its own file system and disk)"
    elif ! command -v mkfs.ext4 >/dev/null 2>&1 || [ ! -d /dev/shm ]; then
        say "no mkfs.ext4 or /dev/shm: the bench's files stay in ${TMPDIR:-/tmp}"
    else
        bench_img=/dev/shm/ftpdeck-bench-$$.img
        bench_mnt=$(mktemp -d /tmp/ftpdeck-bench-fs.XXXXXX)
        # discard: a deleted file's blocks leave RAM again. The inode tables and journal are
        # written now, not by a background thread during the runs.
        if truncate -s 12G "$bench_img" &&
            mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$bench_img" &&
            mount -o loop,discard "$bench_img" "$bench_mnt" && chmod 1777 "$bench_mnt"; then
            export TMPDIR="$bench_mnt"
            export BENCH_FS_NOTE="the bench's files were on a private ext4 with a journal (12 GiB, in RAM through a loop device)"
            say "the bench's files go on a private ext4 in RAM ($bench_mnt)"
        else
            say "could not make the private ext4: the bench's files stay in /tmp"
            bench_fs_cleanup
            bench_img='' bench_mnt=''
        fi
    fi
fi

say "building the release binary"
cargo build --release || exit $?
cargo bench --bench compare || exit $?
echo
say "regenerating the README table"
cargo bench --bench compare -- --readme || exit $?

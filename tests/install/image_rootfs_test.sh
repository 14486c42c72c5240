#!/usr/bin/env bash
# Install.ImageRootfs: deploy/Dockerfile's runtime stage without a Docker engine.
# mmdebstrap makes a minimal Debian 12 root file system (what debian:12-slim is:
# the minbase variant, Essential and Priority: required packages),
# the final stage's instructions run in it under chroot (dockerfile_stage.py;
# the build stage's outputs, the .deb and lid.176.ftz, are provided from this
# build), then the image's entrypoint runs as its USER (uid 10001) on the
# samples. This proves the package installs on a clean Debian 12 from its
# Depends: alone, that nothing is missing at run time, and that the image works
# non-root with its data found from /usr/bin/newsflow.
# Needs root, mmdebstrap (Debian package) and the Debian mirror; exit 77 otherwise.
# Usage: image_rootfs_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$(cd "$1" && pwd)" build="$(cd "$2" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ "$(id -u)" == 0 ]] || { echo "SKIP: needs root (chroot)"; exit 77; }
command -v mmdebstrap >/dev/null || { echo "SKIP: mmdebstrap is missing (Debian package mmdebstrap): image not tried"; exit 77; }
[[ "$(dpkg --print-architecture)" == amd64 ]] || { echo "SKIP: not amd64"; exit 77; }
# The root's /proc, /dev and /sys are mounted in a private mount namespace,
# which the kernel refuses where / is no mount point (a plain chroot into a
# folder: "cannot change root filesystem propagation"), as Install.Relocatable
# skips there. It failed instead, after building the whole root.
unshare -m --propagation private true 2>/dev/null ||
  { echo "SKIP: no private mount namespace here (unshare -m --propagation private refused; / is no mount point?)"; exit 77; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-image.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mirror="${NEWSFLOW_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${mirror%/debian}/debian-security"

# What the build stage leaves: /pkg/newsflow.deb and /models/.
mkdir -p "$tmp/stage/build/pkg" "$tmp/stage/build/models"
"${CPACK:-cpack}" --config "$build/CPackConfig.cmake" -B "$tmp/cpack" >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; fail cpack; }
cp "$tmp"/cpack/newsflow_*.deb "$tmp/stage/build/pkg/newsflow.deb"
model="${NEWSFLOW_MODELS_DIR:-$src/.cache/models}/lid.176.ftz"
[[ -s "$model" ]] && cp "$model" "$tmp/stage/build/models/"

base="$(python3 "$here/dockerfile_stage.py" "$src/deploy/Dockerfile" | sed -n 's/^# FROM //p')"
[[ "$base" == debian:12* ]] || fail "the runtime stage is based on $base, not debian:12"
# The package built here links this host's libraries: the root is this host's Debian
# release (bookworm on Debian 12, as the image; the image itself builds its package
# on Debian 12, so there the two agree).
suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
[[ "$suite" == bookworm ]] || echo "note: host is Debian $suite, so the root is $suite too (the image uses 12)"
if ! timeout 30 python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20)' \
  "$mirror/dists/$suite/Release" >/dev/null 2>&1; then
  echo "SKIP: the Debian mirror $mirror does not answer (set NEWSFLOW_DEBIAN_MIRROR): image not tried"
  exit 77
fi
root="$tmp/rootfs"
# minbase, as Debian's images are made: the Dockerfile runs groupadd/useradd
# (passwd) before it installs anything. The apt variant (Essential only) had
# passwd on Debian 12 only because login was Essential there; on 13 it is not.
if ! mmdebstrap --quiet --variant=minbase "$suite" "$root" "deb $mirror $suite main" \
  "deb $mirror $suite-updates main" "deb $security $suite-security main" >"$tmp/mmdebstrap.log" 2>&1; then
  cat "$tmp/mmdebstrap.log"
  fail "mmdebstrap could not make a Debian 12 root from $mirror (set NEWSFLOW_DEBIAN_MIRROR)"
fi
echo "rootfs: Debian $(cat "$root/etc/debian_version"), $(chroot "$root" dpkg-query -W | wc -l) packages"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp -a "$tmp/stage" "$root/stage"
python3 "$here/dockerfile_stage.py" "$src/deploy/Dockerfile" >"$root/stage/final.sh"
user="$(sed -n 's/^#USER //p' "$root/stage/final.sh")"
before="$(chroot "$root" dpkg-query -W -f='${Package}\n' | sort)"

inroot() {  # inroot CMD...: in the root, with /proc, /dev, /sys mounted (private mount namespace)
  unshare -m --propagation private bash -c '
    r="$1"; shift
    mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" && mount -t sysfs sysfs "$r/sys" &&
      exec chroot "$r" "$@"' _ "$root" "$@"
}
inroot env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin STAGE_DIR=/stage /bin/sh -c '. /stage/final.sh' \
  >"$tmp/final.log" 2>&1 || { tail -n 30 "$tmp/final.log"; fail "the Dockerfile's runtime stage failed in the Debian 12 root"; }
added="$(comm -13 <(echo "$before") <(chroot "$root" dpkg-query -W -f='${Package}\n' | sort) | tr '\n' ' ')"
echo "installed newsflow and: $added"
grep -qw newsflow <<<"$added" || fail "newsflow is not installed"
if grep -Eqw 'systemd|default-jre-headless|openjdk-17-jre-headless|maven|npm' <<<"$added"; then
  fail "the image pulled in more than the runtime (Recommends or systemd): $added"
fi
[[ "$(chroot "$root" id -u newsflow)" == 10001 ]] || fail "user newsflow is not uid 10001"
missing="$(inroot ldd /usr/bin/newsflow | grep 'not found' || true)"
[[ -z "$missing" ]] || fail "libraries missing at run time: $missing"

# The entrypoint, as the image's USER, from its WORKDIR, with only the image's ENV.
[[ "$user" =~ ^[1-9][0-9]*:[0-9]+$ ]] || fail "USER $user"
inroot /usr/bin/env -i PATH=/usr/bin:/bin NEWSFLOW_STATE_DIR=/var/lib/newsflow HOME=/var/lib/newsflow \
  /usr/bin/setpriv --reuid="${user%%:*}" --regid="${user#*:}" --clear-groups /bin/sh -c \
  'cd /var/lib/newsflow && /usr/bin/newsflow run --pipeline /usr/share/newsflow/pipeline.yaml \
     /usr/share/newsflow/samples/pages --output /var/lib/newsflow/articles.jsonl \
     --dead-letters /var/lib/newsflow/dlq.jsonl --log-level warn' >"$tmp/run.log" 2>&1 ||
  { cat "$tmp/run.log"; fail "newsflow run as uid ${user%%:*} in the image root"; }
cat "$tmp/run.log"
if [[ -s "$model" ]] && grep -q "fastText model not found" "$tmp/run.log"; then
  fail "the image's newsflow did not find /usr/share/newsflow/models/lid.176.ftz"
fi
pages="$(find "$src/samples/pages" -type f | wc -l)"
python3 - "$root/var/lib/newsflow/articles.jsonl" "$pages" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
want = int(sys.argv[2])
ents = sum(len(r.get("entities") or []) for r in rows)
print(f"image run: {len(rows)} of {want} sample pages out, {ents} entities")
assert len(rows) == want and ents > 0
PY
[[ "$(stat -c %u "$root/var/lib/newsflow/clean/clean_templates.txt")" == "${user%%:*}" ]] ||
  fail "state was not written by uid ${user%%:*} under /var/lib/newsflow"

# The maintainer scripts on a plain Debian root (no systemd): purge, drop the user,
# install afresh: postinst must create the user itself (adduser), then purge again.
inroot /bin/sh -c 'dpkg --purge newsflow >/dev/null && userdel newsflow && rm -rf /var/lib/newsflow &&
  dpkg -i /stage/build/pkg/newsflow.deb' >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --purge / -i"; }
uid="$(chroot "$root" id -u newsflow)" || fail "postinst did not create the user newsflow"
[[ "$(stat -c %u "$root/var/lib/newsflow")" == "$uid" ]] || fail "postinst did not give /var/lib/newsflow to newsflow"
[[ "$(chroot "$root" getent passwd newsflow | cut -d: -f7)" == */nologin ]] || fail "user newsflow has a login shell"
grep -q "newsflow: installed" "$tmp/dpkg.log" || { cat "$tmp/dpkg.log"; fail "postinst did not say what to do next"; }
inroot dpkg --purge newsflow >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "dpkg --purge"; }
[[ ! -e "$root/etc/newsflow" && ! -e "$root/usr/bin/newsflow" ]] || fail "purge left /etc/newsflow or the binary"
echo "maintainer scripts: purge, fresh install (user newsflow, uid $uid, made by postinst), purge: ok"
echo PASS

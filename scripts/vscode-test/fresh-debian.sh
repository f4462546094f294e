#!/usr/bin/env bash
# Proves the README's two commands on a bare Debian: a debootstrap'd bookworm root (minbase: no Chromium,
# no libkrb5-dev, no make/g++/python3, no fonts) with only this machine's Node and npm copied in, a fresh
# clone of the current branch, then `npm install && npm test` inside it, with its own tooling cache.
# Needs root and debootstrap (apt-get install debootstrap). See docs/testing.md.
#
#   scripts/vscode-test/fresh-debian.sh [ROOT]      # ROOT: a new folder outside the repo, default /work/chroot
set -euo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
root=$(realpath -m "${1:-/work/chroot}")
branch=$(git -C "$repo" rev-parse --abbrev-ref HEAD)
usage() { echo "fresh-debian: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || usage "run as root (debootstrap, mount and chroot need it)"
command -v debootstrap >/dev/null || usage "debootstrap not found: apt-get install debootstrap"
case "$root/" in "$repo"/*) usage "ROOT must be outside the repo, not $root" ;; esac
[ ! -e "$root" ] || usage "$root exists: remove it first (umount -R $root/dev; umount $root/proc — if mounted — then rm -rf $root)"
git -C "$repo" diff --quiet HEAD || echo "fresh-debian: note: uncommitted changes are not in the clone that is tested"

started=$(date +%s)
echo "== debootstrap --variant=minbase bookworm $root"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$root.debootstrap.log" 2>&1 ||
  { tail -20 "$root.debootstrap.log"; exit 1; }

echo "== Node $(node --version) and npm $(npm --version) from this machine, nothing else"
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
cp "$(command -v node)" "$root/usr/bin/node"
mkdir -p "$root/usr/lib/node_modules"
cp -a "$npm_dir" "$root/usr/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
# How this machine reaches the registry: its DNS, its CA bundle and npm's global config (which names it).
cp /etc/resolv.conf "$root/etc/resolv.conf"
for f in /etc/ssl/certs/ca-certificates.crt "$(npm config get globalconfig)"; do
  if [ -f "$f" ]; then mkdir -p "$root$(dirname "$f")" && cp "$f" "$root$f"; fi
done

echo "== git clone --branch $branch $repo"
git clone -q --branch "$branch" "$repo" "$root/root/mcalc"

mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
trap 'umount -R "$root/dev"; umount "$root/proc"' EXIT

# The machine's environment, minus everything else: HOME (so the tooling cache is the root's own), PATH,
# and the CA variables when set.
passthrough=()
for v in NODE_EXTRA_CA_CERTS SSL_CERT_FILE; do [ -n "${!v:-}" ] && passthrough+=("$v=${!v}"); done
set +e
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "${passthrough[@]}" \
  bash -c 'cd /root/mcalc && echo "== npm install" && time npm install && echo "== npm test" && time npm test'
rc=$?
set -e
echo "== fresh-debian: exit $rc after $(($(date +%s) - started)) s; disk: root $(du -sxh "$root" | cut -f1)," \
  "tooling cache $(du -sh "$root/root/.cache/mcalc-vscode-test" 2>/dev/null | cut -f1), clone $(du -sh "$root/root/mcalc" | cut -f1)"
exit $rc

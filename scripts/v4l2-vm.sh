#!/usr/bin/env bash
# Runs a host command against a real kernel V4L2 driver: boots Debian's stock kernel in QEMU (software
# emulation, so it works where KVM and kernel modules do not) with the vivid test driver loaded, the
# host's / shared read-only, and runs the command chrooted into the host, so host-built binaries run
# unchanged against /dev/video0.
#
#   scripts/v4l2-vm.sh [--unplug-after MARKER [--unplug-for SECONDS]] OUT_DIR COMMAND [ARG...]
#
# OUT_DIR (created if missing) is the guest's only writable place, at the same path as on the host.
# With --unplug-after, once the command creates OUT_DIR/MARKER the rig unbinds vivid (as if the camera
# were unplugged), waits SECONDS (default 5) and binds it again. Exits with the command's status.
# The kernel and busybox come from Debian packages, unpacked into .cache/v4l2-vm (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${VEIL_CACHE_DIR:-$PWD/.cache}/v4l2-vm
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

marker="" unplug_seconds=5 loopback=""
while [ $# -gt 0 ]; do
  case $1 in
    --loopback) loopback=1; shift ;;
    --unplug-after) marker=$2; shift 2 ;;
    --unplug-for) unplug_seconds=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd); shift

command -v qemu-system-x86_64 >/dev/null || {
  echo "v4l2-vm: installing qemu-system-x86"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null
}

# download PACKAGE: the package's .deb, downloaded once into the cache; prints its path.
download() {
  local deb; deb=$(ls "$CACHE"/debs/"$1"_*.deb 2>/dev/null | tail -n1 || true)
  if [ -z "$deb" ]; then
    mkdir -p "$CACHE/debs"
    (cd "$CACHE/debs" && { apt-get download -q "$1" >/dev/null 2>&1 ||
                           { $SUDO apt-get update -qq && apt-get download -q "$1" >/dev/null 2>&1; }; }) ||
      { echo "v4l2-vm: cannot download Debian package $1" >&2; return 1; }
    deb=$(ls "$CACHE"/debs/"$1"_*.deb | tail -n1)
  fi
  echo "$deb"
}
# fetch PACKAGE: the package's files, unpacked once into the cache; prints the folder.
fetch() {
  local dir=$CACHE/$1 deb
  if [ ! -d "$dir" ]; then
    deb=$(download "$1") || exit 1
    rm -rf "$dir.partial" && dpkg -x "$deb" "$dir.partial" && mv "$dir.partial" "$dir"
  fi
  echo "$dir"
}
# The kernel that linux-image-amd64 currently points at (any bookworm kernel has vivid as a module).
KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$KPKG" ] || { echo "v4l2-vm: apt knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
KDIR=$(fetch "$KPKG")
BUSYBOX=$(fetch busybox-static)/bin/busybox
VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-*)
MODULES=$(ls -d "$KDIR"/lib/modules/*)

# loopback_module: v4l2loopback.ko for the guest's kernel, built once into the cache; prints its path.
# Debian's v4l2loopback-dkms source, built against linux-headers-KVER (which needs its -common
# package and linux-kbuild, all unpacked into one tree so that their relative links hold; the
# headers' Makefile includes the -common one by absolute path, redirected into the tree).
loopback_module() {
  local kver=${KPKG#linux-image-} src pkg deb tree
  src=$(download v4l2loopback-dkms) || exit 1
  local dir=$CACHE/v4l2loopback/$kver-$(basename "${src%_all.deb}")
  if [ ! -s "$dir/v4l2loopback.ko" ]; then
    local missing=() p
    for p in make gcc-12 libelf1 libssl3; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "v4l2-vm: installing ${missing[*]} (to build v4l2loopback)" >&2
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    rm -rf "$dir" && tree=$dir/tree && mkdir -p "$tree"
    dpkg -x "$src" "$tree"
    for pkg in "linux-headers-$kver" $(apt-cache depends "linux-headers-$kver" |
                                       awk '/Depends: linux-(headers|kbuild)-/ {print $2}'); do
      deb=$(download "$pkg") || exit 1
      dpkg -x "$deb" "$tree"
    done
    local headers=$tree/usr/src/linux-headers-$kver
    [ -f "$headers/Makefile" ] || { echo "v4l2-vm: no headers for $kver in $tree" >&2; exit 1; }
    sed -i "s|^include /usr/src/|include $tree/usr/src/|" "$headers/Makefile"
    mkdir -p "$dir/build" && cp "$tree"/usr/src/v4l2loopback-*/* "$dir/build/"
    echo "v4l2-vm: building $(basename "${src%_all.deb}") for $kver" >&2
    make -s -C "$headers" M="$dir/build" modules >"$dir/build.log" 2>&1 ||
      { cat "$dir/build.log" >&2; echo "v4l2-vm: building v4l2loopback failed" >&2; exit 1; }
    mv "$dir/build/v4l2loopback.ko" "$dir/v4l2loopback.ko"
    rm -rf "$tree" "$dir/build"
  fi
  echo "$dir/v4l2loopback.ko"
}

# The initramfs: busybox, vivid and its dependencies (virtio and 9p to reach the host's files), and
# an init that mounts the shares and runs OUT_DIR/.vm-run.sh, which this script writes per run.
INITRD=$CACHE/initrd
rm -rf "$INITRD" && mkdir -p "$INITRD"/{bin,mods,proc,sys,dev,host,out}
cp "$BUSYBOX" "$INITRD/bin/busybox"
for applet in sh mount insmod ls cat chroot echo sleep poweroff kill test [; do ln -s busybox "$INITRD/bin/$applet"; done
ORDER="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p
rc-core cec mc videodev videobuf2-common videobuf2-v4l2 videobuf2-memops videobuf2-vmalloc videobuf2-dma-contig
v4l2-dv-timings v4l2-tpg vivid"
for m in $ORDER; do
  ko=$(find "$MODULES/kernel" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
  [ -n "$ko" ] || { echo "v4l2-vm: module $m not in $KPKG" >&2; exit 1; }
  case $ko in *.xz) xz -dc "$ko" > "$INITRD/mods/$m.ko" ;; *) cp "$ko" "$INITRD/mods/$m.ko" ;; esac
  echo "$m.ko" >> "$INITRD/mods/order"
done
# Loaded after videodev, on which it depends; /dev/video10 leaves vivid's own numbers alone.
if [ -n "$loopback" ]; then
  LOOPBACK_KO=$(loopback_module)
  cp "$LOOPBACK_KO" "$INITRD/mods/v4l2loopback.ko"
fi
cat > "$INITRD/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m || echo "v4l2-vm: insmod $m failed"; done
if [ -f /mods/v4l2loopback.ko ]; then
  insmod /mods/v4l2loopback.ko video_nr=10 exclusive_caps=1 card_label=Veil || echo "v4l2-vm: insmod v4l2loopback failed"
fi
mount -t 9p -o trans=virtio,version=9p2000.L,ro host /host
mount -t 9p -o trans=virtio,version=9p2000.L out /out
mount -t devtmpfs dev /host/dev; mount -t proc proc /host/proc; mount -t sysfs sys /host/sys
sh /out/.vm-run.sh
poweroff -f
EOF
chmod +x "$INITRD/init"
(cd "$INITRD" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) > "$CACHE/initrd.gz"

# The per-run script, in busybox sh, outside the chroot (it drives the driver through /sys).
quote() { local a out=""; for a in "$@"; do out+="'${a//\'/\'\\\'\'}' "; done; echo "$out"; }
rm -f "$OUT/.vm-status" ${marker:+"$OUT/$marker"}
{
  echo "mount -o bind /out /host$(quote "$OUT")"
  # QEMU's emulated CPU names itself AMD, and OpenBLAS then picks kernels with 3DNow! instructions,
  # which TCG does not emulate (SIGILL in dlib's face descriptor): name a plain SSE4 core instead.
  echo "export OPENBLAS_CORETYPE=Nehalem"
  echo "chroot /host $(quote "$@") &"
  echo 'pid=$!'
  if [ -n "$marker" ]; then
    cat <<EOF
while [ ! -e /out/$(quote "$marker") ] && kill -0 \$pid 2>/dev/null; do sleep 1; done
if [ -e /out/$(quote "$marker") ]; then
  echo "v4l2-vm: unplugging vivid (unbind vivid.0) for $unplug_seconds s"
  echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind
  sleep $unplug_seconds
  echo "v4l2-vm: plugging vivid back in (bind vivid.0)"
  echo vivid.0 > /sys/bus/platform/drivers/vivid/bind
fi
EOF
  fi
  echo 'wait $pid; echo $? > /out/.vm-status'
} > "$OUT/.vm-run.sh"

echo "v4l2-vm: booting $(basename "$VMLINUZ") with vivid${loopback:+ and v4l2loopback} (QEMU TCG)"
# The serial console on stdout without -nographic, which would send the firmware's screen there too;
# no network card (and so no iPXE boot ROM).
timeout "${V4L2_VM_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -smp 2 -m 2048 -display none -serial stdio -monitor none \
  -no-reboot -nic none -kernel "$VMLINUZ" -initrd "$CACHE/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$OUT",mount_tag=out,security_model=none,multidevs=remap < /dev/null
[ -s "$OUT/.vm-status" ] || { echo "v4l2-vm: the guest did not report the command's status" >&2; exit 1; }
status=$(cat "$OUT/.vm-status")
rm -f "$OUT/.vm-run.sh" "$OUT/.vm-status"
exit "$status"

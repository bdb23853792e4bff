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

marker="" unplug_seconds=5
while [ $# -gt 0 ]; do
  case $1 in
    --unplug-after) marker=$2; shift 2 ;;
    --unplug-for) unplug_seconds=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd); shift

command -v qemu-system-x86_64 >/dev/null || {
  echo "v4l2-vm: installing qemu-system-x86"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null
}

# fetch PACKAGE: the package's files, unpacked once into the cache; prints the folder.
fetch() {
  local dir=$CACHE/$1
  if [ ! -d "$dir" ]; then
    mkdir -p "$CACHE/debs"
    (cd "$CACHE/debs" && { apt-get download -q "$1" >/dev/null 2>&1 ||
                           { $SUDO apt-get update -qq && apt-get download -q "$1" >/dev/null 2>&1; }; }) ||
      { echo "v4l2-vm: cannot download Debian package $1" >&2; exit 1; }
    dpkg -x "$CACHE"/debs/"$1"_*.deb "$dir.partial" && mv "$dir.partial" "$dir"
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
cat > "$INITRD/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m || echo "v4l2-vm: insmod $m failed"; done
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

echo "v4l2-vm: booting $(basename "$VMLINUZ") with vivid (QEMU TCG)"
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

#!/usr/bin/env python3
"""Sets a V4L2 control found by its name, e.g. vivid's "Horizontal Movement", which v4l2-ctl would
set but CI does not install. Run in the guest of scripts/v4l2-vm.sh (chrooted into the host).

    scripts/v4l2-control.py DEVICE NAME VALUE
"""
import fcntl
import os
import struct
import sys

# From linux/videodev2.h: struct v4l2_queryctrl (id, type, name[32], minimum, maximum, step,
# default_value, flags, reserved[2]) and struct v4l2_control (id, value).
QUERYCTRL = struct.Struct("=II32siiiiI8x")
VIDIOC_QUERYCTRL = 0xC0445624
VIDIOC_S_CTRL = 0xC008561C
V4L2_CTRL_FLAG_NEXT_CTRL = 0x80000000


def main(device, name, value):
    fd = os.open(device, os.O_RDWR)
    try:
        control = 0
        while True:
            query = bytearray(QUERYCTRL.pack(control | V4L2_CTRL_FLAG_NEXT_CTRL, 0, b"", 0, 0, 0, 0, 0))
            try:
                fcntl.ioctl(fd, VIDIOC_QUERYCTRL, query)
            except OSError:
                sys.exit(f"v4l2-control: {device} has no control named '{name}'")
            control, _, found, minimum, maximum, *_ = QUERYCTRL.unpack(query)
            if found.rstrip(b"\0").decode() == name:
                break
        if not minimum <= value <= maximum:
            sys.exit(f"v4l2-control: {device}: '{name}' takes {minimum}-{maximum}, not {value}")
        fcntl.ioctl(fd, VIDIOC_S_CTRL, struct.pack("=Ii", control, value))
        print(f"v4l2-control: {device}: '{name}' set to {value}")
    finally:
        os.close(fd)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip())
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

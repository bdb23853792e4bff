import CV4L2
import Glibc
import VeilCapture
import VeilMedia

/// A v4l2loopback device opened for output: frames written to it appear as a camera to programs that
/// open the device for capture. Non-blocking, so a full device drops a frame instead of stalling.
final class LoopbackDevice {
    let path: String
    private let descriptor: Int32
    private let width: Int
    private let height: Int
    /// One frame as the driver takes it: I420 planes one after another, rows `lumaStride` bytes apart
    /// (half that for chroma), `sizeimage` bytes in all.
    private let frame: UnsafeMutableRawBufferPointer
    private let lumaStride: Int

    static func frameBytes(width: Int, height: Int) -> Int { width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2) }

    init(path: String, width: Int, height: Int) throws {
        let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw LoopbackFailure(action: "open", path: path, code: errno) }
        let bytes = LoopbackDevice.frameBytes(width: width, height: height)
        var format = v4l2_format()
        format.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
        format.fmt.pix.width = UInt32(width)
        format.fmt.pix.height = UInt32(height)
        format.fmt.pix.pixelformat = PixelFormat.yuv420.code
        format.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        format.fmt.pix.bytesperline = UInt32(width)
        format.fmt.pix.sizeimage = UInt32(bytes)
        format.fmt.pix.colorspace = V4L2_COLORSPACE_SMPTE170M.rawValue
        guard ioctl(descriptor, veil_vidioc_s_fmt(), &format) == 0 else {
            let code = errno
            close(descriptor)
            // ENOTTY/EINVAL: the node answers no V4L2 output requests, e.g. a capture-only camera.
            throw LoopbackFailure(action: "set \(width)x\(height) YU12 output on", path: path, code: code)
        }
        // Drivers may pad rows (vivid's output keeps the stride of its widest timing): the frame is
        // laid out as the driver says, not as asked.
        let stride = Int(format.fmt.pix.bytesperline)
        let imageBytes = Int(format.fmt.pix.sizeimage)
        guard format.fmt.pix.width == UInt32(width), format.fmt.pix.height == UInt32(height),
              format.fmt.pix.pixelformat == PixelFormat.yuv420.code,
              stride >= width, imageBytes >= stride * height + 2 * (stride / 2) * ((height + 1) / 2) else {
            close(descriptor)
            throw LoopbackFailure(action: "set \(width)x\(height) YU12 output on", path: path, code: EINVAL)
        }
        self.path = path
        self.descriptor = descriptor
        self.width = width
        self.height = height
        lumaStride = stride
        frame = .allocate(byteCount: max(bytes, imageBytes), alignment: 64)
        frame.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        frame.deallocate()
        close(descriptor)
    }

    /// Writes one frame; false if the device is busy (EAGAIN: the frame is dropped). Throws when
    /// the device failed or went away.
    func write(_ picture: Picture) throws -> Bool {
        var offset = 0
        for (index, plane) in picture.planes.enumerated() {
            let stride = index == 0 ? lumaStride : lumaStride / 2
            for row in 0..<plane.height {
                (frame.baseAddress! + offset + row * stride).copyMemory(from: plane.row(row), byteCount: plane.width)
            }
            offset += stride * plane.height
        }
        while true {
            let n = Glibc.write(descriptor, frame.baseAddress, frame.count)
            if n == frame.count { return true }
            if n >= 0 { throw LoopbackFailure(action: "write a whole frame to", path: path, code: EIO) }
            if errno == EINTR { continue }
            if errno == EAGAIN { return false }
            throw LoopbackFailure(action: "write to", path: path, code: errno)
        }
    }
}

struct LoopbackFailure: Error, CustomStringConvertible {
    let action: String
    let path: String
    let code: Int32
    var description: String { "cannot \(action) '\(path)': \(errnoText(code))" }
}

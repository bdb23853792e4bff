import VeilCore
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
    /// (half that for chroma); exactly the frame, which is what each `write()` hands over.
    private let frame: UnsafeMutableRawBufferPointer
    private let lumaStride: Int

    static func frameBytes(width: Int, height: Int) -> Int { width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2) }

    /// The frame's layout from the driver's answer to S_FMT: the luma stride, and the bytes one frame
    /// takes (chroma rows half the stride, as V4L2 lays out YU12), or nil if the answer cannot hold a
    /// `width`x`height` frame. `sizeimage` may be larger than the frame: v4l2loopback answers with its
    /// page-rounded buffer size, while its readers expect exactly a frame in each buffer (FFmpeg drops
    /// any other: "Dequeued v4l2 buffer contains 348160 bytes, but 345600 were expected").
    static func layout(width: Int, height: Int, bytesPerLine: Int, sizeImage: Int) -> (stride: Int, bytes: Int)? {
        let stride = max(bytesPerLine, width)  // 0: the driver leaves the stride to us, unpadded
        let bytes = stride * height + 2 * ((stride + 1) / 2) * ((height + 1) / 2)
        guard width > 0, height > 0, bytesPerLine == 0 || bytesPerLine >= width, sizeImage >= bytes else { return nil }
        return (stride, bytes)
    }

    init(path: String, width: Int, height: Int) throws {
        let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw LoopbackFailure(action: "open", path: path, code: errno) }
        var format = v4l2_format()
        format.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
        format.fmt.pix.width = UInt32(width)
        format.fmt.pix.height = UInt32(height)
        format.fmt.pix.pixelformat = PixelFormat.yuv420.code
        format.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        format.fmt.pix.bytesperline = UInt32(width)
        format.fmt.pix.sizeimage = UInt32(LoopbackDevice.frameBytes(width: width, height: height))
        format.fmt.pix.colorspace = V4L2_COLORSPACE_SMPTE170M.rawValue
        let action = "set \(width)x\(height) YU12 output on"
        guard ioctl(descriptor, veil_vidioc_s_fmt(), &format) == 0 else {
            let code = errno
            close(descriptor)
            // ENOTTY/EINVAL: the node answers no V4L2 output requests, e.g. a capture-only camera.
            throw LoopbackFailure(action: action, path: path, code: code)
        }
        // Drivers may pad rows (vivid's output keeps the stride of its widest timing): the frame is
        // laid out as the driver says, not as asked. v4l2loopback keeps the format a first writer set
        // for as long as the device is in use, and answers with it instead of an error.
        let pix = format.fmt.pix
        guard pix.width == UInt32(width), pix.height == UInt32(height), pix.pixelformat == PixelFormat.yuv420.code,
              let layout = LoopbackDevice.layout(width: width, height: height, bytesPerLine: Int(pix.bytesperline),
                                                 sizeImage: Int(pix.sizeimage)) else {
            close(descriptor)
            throw LoopbackFailure(action: action, path: path, code: EINVAL,
                                  detail: "the driver answered \(pix.width)x\(pix.height) \(PixelFormat(code: pix.pixelformat)), "
                                      + "\(pix.bytesperline) bytes a row, \(pix.sizeimage) a frame (another program may hold it "
                                      + "in another format)")
        }
        self.path = path
        self.descriptor = descriptor
        self.width = width
        self.height = height
        lumaStride = layout.stride
        frame = .allocate(byteCount: layout.bytes, alignment: 64)
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
            let stride = index == 0 ? lumaStride : (lumaStride + 1) / 2
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
    var detail: String?
    var description: String { "cannot \(action) '\(path)': \(detail ?? errnoText(code))" }
}


import VeilCore
import CV4L2
import Glibc
import VeilMedia

/// An open V4L2 device node, through libv4l2 (which converts formats that cameras send in odd
/// layouts). Owns the file descriptor; every request goes through `perform` or `query`, so that none
/// goes unchecked.
final class DeviceFile {
    let path: String
    let descriptor: Int32

    /// Opens non-blocking: frames are waited for with poll() and a timeout, never in an ioctl.
    init(path: String) throws {
        let descriptor = veil_v4l2_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT: throw CaptureError.noSuchDevice(path: path)
            // libv4l2 asks every file it opens for its capabilities, and fails on a non-V4L2 file.
            case ENOTTY: throw CaptureError.notCaptureDevice(path: path, reason: "it does not answer V4L2 requests")
            default: throw CaptureError.cannotOpen(path: path, reason: errnoText(code))
            }
        }
        self.path = path
        self.descriptor = descriptor
    }

    // Linux releases the descriptor even when close reports an error, so there is nothing to retry.
    deinit { v4l2_close(descriptor) }

    /// Runs one request; returns 0 or the errno it failed with. For requests whose failure is an
    /// answer: EINVAL ends an enumeration, ENOTTY says the driver does not implement it.
    func query<Argument>(_ request: UInt, _ argument: inout Argument) -> Int32 {
        while true {
            if withUnsafeMutableBytes(of: &argument, { veil_v4l2_ioctl(descriptor, request, $0.baseAddress) }) == 0 { return 0 }
            // A signal may interrupt a request before it did anything; it is safe to repeat.
            if errno != EINTR { return errno }
        }
    }

    /// Runs one request that must succeed; a failure names the action, the request and the device.
    /// ENODEV and EIO mean the device went away (unplugged, driver unbound), whatever was asked.
    func perform<Argument>(_ request: UInt, _ argument: inout Argument, _ action: String, _ name: String) throws {
        let code = query(request, &argument)
        guard code != 0 else { return }
        throw error(for: code, action, name)
    }

    func error(for code: Int32, _ action: String, _ name: String) -> CaptureError {
        if code == ENODEV || code == EIO { return .disconnected(path: path, reason: errnoText(code)) }
        return .failed(action: action, path: path, request: name, reason: errnoText(code))
    }
}

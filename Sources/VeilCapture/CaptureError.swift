import Glibc

/// What went wrong with a camera, in one line that names the device, so that the command layer and
/// the daemon's log can print it as is.
public enum CaptureError: Error, Equatable, CustomStringConvertible, Sendable {
    case noSuchDevice(path: String)
    case cannotOpen(path: String, reason: String)
    /// The device answers but cannot be captured from with mmap streaming (an output or metadata node).
    case notCaptureDevice(path: String, reason: String)
    /// None of the formats asked for, native or converted by libv4l2, is offered.
    case noUsableFormat(path: String, wanted: [String], offered: [String])
    /// The driver granted something Veil cannot use (an odd width for a 4:2:x format, a format it swapped in).
    case unusableGrant(path: String, reason: String)
    /// A request failed for a reason other than the device going away, e.g. VIDIOC_S_FMT: EINVAL.
    case failed(action: String, path: String, request: String, reason: String)
    /// The device went away while open: unplugged, or its driver unbound (ENODEV, EIO, POLLERR).
    case disconnected(path: String, reason: String)
    /// No frame arrived within the timeout: a stalled camera, or one whose stream ended.
    case timedOut(path: String, seconds: Double)
    case pictureSizeMismatch(path: String, device: String, picture: String)

    public var description: String {
        switch self {
        case let .noSuchDevice(path):
            return "no video device at '\(path)'"
        case let .cannotOpen(path, reason):
            return "cannot open video device '\(path)': \(reason)"
        case let .notCaptureDevice(path, reason):
            return "'\(path)' is not a video capture device: \(reason)"
        case let .noUsableFormat(path, wanted, offered):
            let offers = offered.isEmpty ? "nothing" : offered.joined(separator: ", ")
            return "video device '\(path)' offers none of \(wanted.joined(separator: ", ")) (it offers \(offers))"
        case let .unusableGrant(path, reason):
            return "video device '\(path)' granted an unusable format: \(reason)"
        case let .failed(action, path, request, reason):
            return "video device '\(path)': cannot \(action) (\(request)): \(reason)"
        case let .disconnected(path, reason):
            return "video device '\(path)' was disconnected: \(reason)"
        case let .timedOut(path, seconds):
            return "video device '\(path)' sent no frame for \(Self.format(seconds)) s"
        case let .pictureSizeMismatch(path, device, picture):
            return "cannot read a \(device) frame from video device '\(path)' into a \(picture) picture"
        }
    }

    /// Whether reopening the device later may help: it went away or stopped sending.
    public var isDeviceLoss: Bool {
        switch self {
        case .disconnected, .timedOut, .noSuchDevice: return true
        default: return false
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

import VeilCore
import CV4L2
import Glibc

/// One pixel format a capture device offers, with its sizes and rates.
public struct FormatInfo: Sendable {
    public let format: PixelFormat
    /// The driver's name for it, e.g. "YUYV 4:2:2", "Motion-JPEG".
    public let name: String
    public let isCompressed: Bool
    /// Made by libv4l2 from another format in software (not sent by the camera itself).
    public let isEmulated: Bool
    public let sizes: FrameSizes
}

/// A V4L2 video capture device as VIDIOC_QUERYCAP and the enumeration requests describe it.
public struct VideoDeviceInfo: Sendable {
    public let path: String
    /// The device's name, e.g. "HD Pro Webcam C920".
    public let card: String
    /// The kernel driver, e.g. "uvcvideo".
    public let driver: String
    /// Where it is attached, e.g. "usb-0000:00:14.0-2": tells two identical cameras apart.
    public let busInfo: String
    /// What the camera sends; formats libv4l2 emulates on top are left out.
    public let formats: [FormatInfo]
}

/// The answer to "which cameras are there": capture devices, and nodes that could not be examined
/// (permission denied, busy), which are worth telling a user about rather than silently skipping.
public struct VideoDeviceList: Sendable {
    public let devices: [VideoDeviceInfo]
    public let unreadable: [CaptureError]
}

public enum VideoDevices {
    /// Every /dev/videoN (in `directory`) that captures video, in N's order. Output, metadata-only and
    /// codec nodes are left out, and so is anything that is not a V4L2 device. No devices (or no such
    /// directory) is an empty list, not an error.
    public static func list(in directory: String = "/dev") -> VideoDeviceList {
        var devices: [VideoDeviceInfo] = [], unreadable: [CaptureError] = []
        for path in nodePaths(in: directory) {
            do {
                let file = try DeviceFile(path: path)
                let capabilities = try DeviceCapabilities(file)
                guard capabilities.canCapture else { continue }
                devices.append(VideoDeviceInfo(path: path, card: capabilities.card, driver: capabilities.driver,
                                               busInfo: capabilities.busInfo,
                                               formats: try FormatCatalog.read(file).filter { !$0.isEmulated }))
            } catch CaptureError.noSuchDevice, CaptureError.notCaptureDevice {
                continue  // unplugged between listing the directory and opening it, or not V4L2 at all
            } catch let error as CaptureError {
                unreadable.append(error)
            } catch {
                unreadable.append(.cannotOpen(path: path, reason: "\(error)"))
            }
        }
        return VideoDeviceList(devices: devices, unreadable: unreadable)
    }

    /// videoN entries sorted by N (so video10 follows video9).
    static func nodePaths(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var numbers: [Int] = []
        while let entry = readdir(stream) {
            let name = cString(entry.pointee.d_name)
            if name.hasPrefix("video"), let number = Int(name.dropFirst(5)), number >= 0 { numbers.append(number) }
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return numbers.sorted().map { base + "video\($0)" }
    }
}

/// What VIDIOC_QUERYCAP says about a node.
struct DeviceCapabilities {
    let card: String
    let driver: String
    let busInfo: String
    /// The capabilities of this node (device_caps), not of the whole driver.
    let flags: UInt32

    init(_ file: DeviceFile) throws {
        var answer = v4l2_capability()
        try file.perform(veil_vidioc_querycap(), &answer, "query the capabilities", "VIDIOC_QUERYCAP")
        card = cString(answer.card)
        driver = cString(answer.driver)
        busInfo = cString(answer.bus_info)
        flags = answer.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? answer.device_caps : answer.capabilities
    }

    /// Single-planar video capture: what USB cameras and capture cards are. A UVC camera's second
    /// node, which carries only metadata, lacks this flag and is left out.
    var canCapture: Bool { flags & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 }
    var canStream: Bool { flags & UInt32(V4L2_CAP_STREAMING) != 0 }
}

/// The formats, sizes and rates a capture node offers (VIDIOC_ENUM_FMT, _FRAMESIZES, _FRAMEINTERVALS).
enum FormatCatalog {
    static let captureType = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
    /// More entries than any real driver lists: a driver that never ends a list cannot hang us.
    private static let entryLimit = 1024

    static func read(_ file: DeviceFile) throws -> [FormatInfo] {
        var formats: [FormatInfo] = []
        for index in 0..<entryLimit {
            var description = v4l2_fmtdesc()
            description.index = UInt32(index)
            description.type = captureType
            guard try more(file.query(veil_vidioc_enum_fmt(), &description), file, "list the formats", "VIDIOC_ENUM_FMT") else { break }
            let format = PixelFormat(code: description.pixelformat)
            formats.append(FormatInfo(format: format, name: cString(description.description),
                                      isCompressed: description.flags & UInt32(V4L2_FMT_FLAG_COMPRESSED) != 0,
                                      isEmulated: description.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0,
                                      sizes: try sizes(of: format, file)))
        }
        return formats
    }

    static func sizes(of format: PixelFormat, _ file: DeviceFile) throws -> FrameSizes {
        var found: [SizeRates] = []
        for index in 0..<entryLimit {
            var size = v4l2_frmsizeenum()
            size.index = UInt32(index)
            size.pixel_format = format.code
            guard try more(file.query(veil_vidioc_enum_framesizes(), &size), file, "list the \(format) frame sizes",
                           "VIDIOC_ENUM_FRAMESIZES") else { break }
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                let discrete = FrameSize(width: Int(size.discrete.width), height: Int(size.discrete.height))
                found.append(SizeRates(size: discrete, rates: try rates(of: format, at: discrete, file)))
            } else {
                // Stepwise and continuous ranges come as one entry (index 0) that covers every size.
                let range = size.stepwise
                let largest = FrameSize(width: Int(range.max_width), height: Int(range.max_height))
                return .stepwise(smallest: FrameSize(width: Int(range.min_width), height: Int(range.min_height)),
                                 largest: largest,
                                 step: FrameSize(width: Int(range.step_width), height: Int(range.step_height)),
                                 rates: try rates(of: format, at: largest, file))
            }
        }
        return found.isEmpty ? .unlisted : .discrete(found)
    }

    static func rates(of format: PixelFormat, at size: FrameSize, _ file: DeviceFile) throws -> FrameRates {
        var intervals: [FrameInterval] = []
        for index in 0..<entryLimit {
            var interval = v4l2_frmivalenum()
            interval.index = UInt32(index)
            interval.pixel_format = format.code
            interval.width = UInt32(size.width)
            interval.height = UInt32(size.height)
            guard try more(file.query(veil_vidioc_enum_frameintervals(), &interval), file,
                           "list the \(format) \(size) frame rates", "VIDIOC_ENUM_FRAMEINTERVALS") else { break }
            if interval.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue {
                intervals.append(FrameInterval(interval.discrete))
            } else {
                let range = interval.stepwise
                return .stepwise(shortest: FrameInterval(range.min), longest: FrameInterval(range.max),
                                 step: FrameInterval(range.step))
            }
        }
        return intervals.isEmpty ? .unlisted : .discrete(intervals)
    }

    /// Whether an enumeration request produced an entry: EINVAL past the last one, ENOTTY where the
    /// driver does not enumerate at all; anything else is a failure.
    private static func more(_ code: Int32, _ file: DeviceFile, _ action: String, _ request: String) throws -> Bool {
        switch code {
        case 0: return true
        case EINVAL, ENOTTY: return false
        default: throw file.error(for: code, action, request)
        }
    }
}

extension FrameInterval {
    init(_ fraction: v4l2_fract) { self.init(numerator: fraction.numerator, denominator: fraction.denominator) }
}

/// A fixed-size, NUL-padded C string field (card names, driver names) as a String.
func cString<Field>(_ field: Field) -> String {
    withUnsafeBytes(of: field) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
}

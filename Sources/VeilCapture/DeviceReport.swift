import VeilCore
import Glibc
import VeilMedia

/// The device list as a person reads it (`veil devices`, the daemon's start-up log): each camera with
/// its formats, sizes and rates, and formats Veil cannot capture marked as such.
public enum DeviceReport {
    public static func text(_ list: VideoDeviceList) -> String {
        var lines: [String] = []
        for device in list.devices {
            lines.append("\(device.path)  \(device.card)")
            lines.append("  driver \(device.driver), bus \(device.busInfo)")
            if device.formats.isEmpty { lines.append("  no formats listed by the driver") }
            for format in device.formats {
                lines.append("  " + heading(format))
                lines += sizeLines(format.sizes).map { "    " + $0 }
            }
        }
        for problem in list.unreadable { lines.append(hint(for: problem)) }
        if list.devices.isEmpty { lines.append("no V4L2 capture devices found") }
        return lines.joined(separator: "\n")
    }

    private static func heading(_ format: FormatInfo) -> String {
        var text = "\(format.format) (\(format.name))"
        if format.isCompressed { text += ", compressed" }
        if !PixelFormat.convertible.contains(format.format) { text += ": not usable by Veil" }
        return text
    }

    private static func sizeLines(_ sizes: FrameSizes) -> [String] {
        switch sizes {
        case let .discrete(entries):
            let column = entries.map(\.size.description.count).max() ?? 0
            return entries.map { entry in
                let size = entry.size.description
                return size + String(repeating: " ", count: column - size.count + 2) + rates(entry.rates)
            }
        case let .stepwise(smallest, largest, step, frameRates):
            return ["any size from \(smallest) to \(largest) in steps of \(step), \(rates(frameRates)) at \(largest)"]
        case .unlisted:
            return ["sizes not listed by the driver"]
        }
    }

    private static func rates(_ rates: FrameRates) -> String {
        switch rates {
        case let .discrete(intervals):
            let values = Set(intervals.map(\.framesPerSecond)).sorted(by: >)
            return values.map(FrameRateText.fps).joined(separator: ", ") + " fps"
        case let .stepwise(shortest, longest, _):
            return "\(FrameRateText.fps(longest.framesPerSecond))-\(FrameRateText.fps(shortest.framesPerSecond)) fps"
        case .unlisted:
            return "rates not listed"
        }
    }

    /// Permission problems are the usual reason a camera cannot be opened; say what fixes them.
    private static func hint(for problem: CaptureError) -> String {
        if case let .cannotOpen(_, reason) = problem, reason == errnoText(EACCES) {
            return "\(problem) (add the user that runs veil to the 'video' group)"
        }
        return "\(problem)"
    }
}

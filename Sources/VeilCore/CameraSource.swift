/// What a camera's `source` names, by its spelling: one rule for the config (which devices are claimed)
/// and the daemon (how the camera is read).
public enum CameraSource: Equatable, Sendable {
    /// A V4L2 device node (`/dev/...`).
    case device(String)
    /// A network stream FFmpeg opens (`rtsp://`, `http://`, `srt://`, `udp://`, ...): lost, hung or
    /// missing, it is treated like an unplugged camera, never as the end of the input.
    case stream(String)
    /// A file (or `file:` URL), played once or looped as a camera.
    case file(String)

    public init(_ source: String) {
        if source.hasPrefix("/dev/") {
            self = .device(source)
        } else if let scheme = source.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first,
                  source.dropFirst(scheme.count).hasPrefix("://"), !scheme.isEmpty,
                  scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }), scheme.lowercased() != "file" {
            self = .stream(source)
        } else {
            self = .file(source)
        }
    }
}

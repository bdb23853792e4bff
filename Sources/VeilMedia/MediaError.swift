import CFFmpeg
import Glibc

/// What went wrong with a media file or stream, in one line that names what and where, so that the
/// command layer can print it as is.
public enum MediaError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An operation on a file or URL failed, e.g. "cannot open input 'x.mp4': No such file or directory".
    case failed(action: String, path: String, reason: String)
    /// The input opened but holds nothing FFmpeg can demux or decode as `kind` ("video", "image").
    case unreadable(path: String, kind: String, reason: String)
    case noVideoStream(path: String)
    /// The output path's extension names no container Veil writes.
    case unsupportedContainer(path: String, extension: String)

    public var description: String {
        switch self {
        case let .failed(action, path, reason):
            return "cannot \(action) '\(path)': \(reason)"
        case let .unreadable(path, kind, reason):
            return "'\(path)' is not \(kind == "image" ? "an" : "a") \(kind) FFmpeg can read: \(reason)"
        case let .noVideoStream(path):
            return "'\(path)' has no video stream"
        case let .unsupportedContainer(path, ext):
            let shown = ext.isEmpty ? "no extension" : "extension '.\(ext)'"
            return "cannot write '\(path)': \(shown) names no supported container (use .mp4, .mkv or .mov)"
        }
    }
}

/// FFmpeg's text for an error code (av_strerror), e.g. "Invalid data found when processing input".
public func ffmpegErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE))
    if av_strerror(code, &buffer, buffer.count) < 0 { return "FFmpeg error \(code)" }
    return String(cString: buffer)
}

/// Passes a non-negative FFmpeg return value through; turns a negative one into a `MediaError`.
@discardableResult
public func check(_ code: Int32, _ action: String, _ path: String) throws -> Int32 {
    guard code >= 0 else { throw MediaError.failed(action: action, path: path, reason: ffmpegErrorText(code)) }
    return code
}

/// An allocation that returned NULL: FFmpeg reports these as ENOMEM, so do we.
public func outOfMemory(_ action: String, _ path: String) -> MediaError {
    .failed(action: action, path: path, reason: ffmpegErrorText(veil_averror(ENOMEM)))
}


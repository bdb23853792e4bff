import CFFmpeg
import Glibc
import VeilMedia

/// A camera's outputs cannot be set up as configured: one line that names the file, address or
/// option and what is wrong with it. Never holds key material.
public struct OutputError: Error, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

/// The C library's text for an errno value, e.g. "No space left on device".
func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

/// FFmpeg's text for an error code (av_strerror).
func ffmpegErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE))
    if av_strerror(code, &buffer, buffer.count) < 0 { return "FFmpeg error \(code)" }
    return String(cString: buffer)
}

/// Passes a non-negative FFmpeg return value through; turns a negative one into a `MediaError`
/// naming the action and the output.
@discardableResult
func check(_ code: Int32, _ action: String, _ target: String) throws -> Int32 {
    guard code >= 0 else { throw MediaError.failed(action: action, path: target, reason: ffmpegErrorText(code)) }
    return code
}

func outOfMemory(_ action: String, _ target: String) -> MediaError {
    .failed(action: action, path: target, reason: ffmpegErrorText(veil_averror(ENOMEM)))
}

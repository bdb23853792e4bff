import CFFmpeg
import Glibc
import VeilCore

/// SHA-256 of a file's bytes (FFmpeg's libavutil), as lowercase hex: what the archive manifest records
/// of every input, output, model and donor.
public enum FileDigest {
    public static func sha256(path: String) throws(AtomicFile.Failure) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw AtomicFile.Failure(action: "read", path: path, reason: errnoText(errno)) }
        defer { close(descriptor) }
        guard let context = av_sha_alloc() else { throw AtomicFile.Failure(action: "hash", path: path, reason: errnoText(ENOMEM)) }
        defer { av_free(UnsafeMutableRawPointer(context)) }
        av_sha_init(context, 256)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.Failure(action: "read", path: path, reason: errnoText(errno))
            }
            if count == 0 { break }
            buffer.withUnsafeBufferPointer { av_sha_update(context, $0.baseAddress, count) }
        }
        return hex(final(context))
    }

    /// SHA-256 of bytes in memory, raw (32 bytes): what a Content-Security-Policy hash encodes.
    public static func sha256(bytes: [UInt8]) -> [UInt8] {
        guard let context = av_sha_alloc() else { preconditionFailure("out of memory for a SHA-256 context") }
        defer { av_free(UnsafeMutableRawPointer(context)) }
        av_sha_init(context, 256)
        bytes.withUnsafeBufferPointer { av_sha_update(context, $0.baseAddress, $0.count) }
        return final(context)
    }

    private static func final(_ context: OpaquePointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        av_sha_final(context, &digest)
        return digest
    }

    private static func hex(_ digest: [UInt8]) -> String {
        let hex = Array("0123456789abcdef")
        return String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
}

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
        var digest = [UInt8](repeating: 0, count: 32)
        av_sha_final(context, &digest)
        let hex = Array("0123456789abcdef")
        return String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
}

import VeilCore
import Foundation
import Glibc
import VeilMedia

/// An SRTP master key and salt (30 bytes) read from a key file. The file must be a regular file of
/// mode 0600 (no group or other bits) owned by the user the daemon runs as: anyone who can read it
/// can decrypt the stream. Errors name the file and the problem, never its contents.
struct SRTPKey: CustomStringConvertible {
    static let suite = "AES_CM_128_HMAC_SHA1_80"
    static let length = 30

    /// The base64 text FFmpeg's srtp_out_params takes.
    let base64: String

    /// Redacted, so that the key cannot end up in a log line through string interpolation.
    var description: String { "SRTP key (redacted)" }

    init(file path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw UserError("key file '\(path)': \(errnoText(errno))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw UserError("key file '\(path)' is not a regular file") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw UserError("key file '\(path)' is mode \(String(mode, radix: 8).leftPadded(to: 4)): group and others must have no access (chmod 600)")
        }
        guard info.st_uid == geteuid() else {
            throw UserError("key file '\(path)' is owned by uid \(info.st_uid), not by the service user (uid \(geteuid()))")
        }
        guard info.st_size <= 4096, let data = FileManager.default.contents(atPath: path) else {
            throw UserError("key file '\(path)' cannot be read or is too large for a key")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Data(base64Encoded: text), key.count == SRTPKey.length else {
            throw UserError("key file '\(path)' must hold the base64 of \(SRTPKey.length) bytes (16-byte key and 14-byte salt)")
        }
        base64 = key.base64EncodedString()
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

import VeilCore
import Glibc
import VeilMedia

/// Writes an SDP file atomically, so a receiver reading it while the stream restarts sees the old
/// description or the new one, never half.
enum SDPFile {
    /// mode applies to the new file whatever the umask: 0600 where the SDP carries a key.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: mode)
        } catch {
            throw UserError("cannot \(error.action) SDP file '\(error.path)': \(error.reason)")
        }
    }
}

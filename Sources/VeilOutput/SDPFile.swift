import Glibc
import VeilMedia

/// Writes an SDP file atomically: a temporary file in the same directory, then rename(), so a
/// receiver reading it while the stream restarts sees the old description or the new one, never half.
enum SDPFile {
    /// mode applies to the new file whatever the umask: 0600 where the SDP carries a key.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = "\(directory).\(name).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw failure("create", temporary, errno) }
        var ok = fchmod(descriptor, mode) == 0
        var code = errno
        if ok {
            let bytes = Array(text.utf8)
            ok = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) } == bytes.count
            code = errno
        }
        if close(descriptor) != 0 && ok {
            ok = false
            code = errno
        }
        guard ok, rename(temporary, path) == 0 else {
            if ok { code = errno }
            unlink(temporary)
            throw failure("write", path, code)
        }
    }

    private static func failure(_ action: String, _ path: String, _ code: Int32) -> OutputError {
        OutputError("cannot \(action) SDP file '\(path)': \(errnoText(code))")
    }
}

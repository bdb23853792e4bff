import Glibc

/// Small files that readers must see whole (an SDP a receiver rereads when the stream restarts, a
/// consent enrolment): written to a temporary file in the same directory, then renamed over the old
/// one, so that a reader meets the old content or the new, never half of either.
public enum AtomicFile {
    /// `mode` applies to the new file whatever the umask. Errors name the temporary file when it
    /// cannot be created, else `path`.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = "\(directory).\(name).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw MediaError.failed(action: "create", path: temporary, reason: errnoText(errno)) }
        var ok = fchmod(descriptor, mode) == 0
        var code = errno
        if ok {
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
            throw MediaError.failed(action: "write", path: path, reason: errnoText(code))
        }
    }
}

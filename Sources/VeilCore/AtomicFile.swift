import Glibc

/// The one way Veil puts a file in place: written under a hidden temporary name in the same directory,
/// flushed to disk, renamed over the final name, and the directory flushed. A reader meets the old
/// content or the new, never part of either, and after a crash or power loss the final name holds one
/// of them; a killed writer leaves only its temporary file, which is named after the process so that
/// concurrent runs never collide.
public enum AtomicFile {
    /// One line that names what failed and where, e.g. "cannot write 'x.sdp': No space left on device".
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let action: String
        public let path: String
        public let reason: String
        public var description: String { "cannot \(action) '\(path)': \(reason)" }

        public init(action: String, path: String, reason: String) {
            self.action = action
            self.path = path
            self.reason = reason
        }
    }

    /// "dir/.name.partial-PID.ext" for "dir/name.ext": hidden, the process's own, and still carrying
    /// the extension that tells tools (and FFmpeg's muxer) what the file is.
    public static func temporaryPath(for path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        let directory = String(path.dropLast(name.count))
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return "\(directory).\(name[..<dot]).partial-\(getpid())\(name[dot...])"
        }
        return "\(directory).\(name).partial-\(getpid())"
    }

    /// Writes a small file whole. `mode` applies to the new file whatever the umask.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(Failure) {
        let temporary = temporaryPath(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw Failure(action: "write", path: path, reason: errnoText(errno)) }
        var code: Int32 = 0
        if fchmod(descriptor, mode) != 0 { code = errno }
        var written = 0
        while code == 0 && written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno != EINTR { code = errno }
            } else {
                written += count
            }
        }
        if close(descriptor) != 0 && code == 0 { code = errno }
        guard code == 0 else {
            unlink(temporary)
            throw Failure(action: "write", path: path, reason: errnoText(code))
        }
        try commit(temporary, to: path)
    }

    /// Puts `temporary`, written and closed by its writer, in place at `path`: flushes it, renames it and
    /// flushes the directory. On failure the temporary file is removed and `path` is as it was.
    public static func commit(_ temporary: String, to path: String) throws(Failure) {
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        var code: Int32 = descriptor < 0 ? errno : 0
        if descriptor >= 0 {
            if fsync(descriptor) != 0 { code = errno }
            close(descriptor)
        }
        if code == 0 && rename(temporary, path) != 0 { code = errno }
        guard code == 0 else {
            unlink(temporary)
            throw Failure(action: "write", path: path, reason: errnoText(code))
        }
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        let directory = path.count > name.count ? String(path.dropLast(name.count)) : "."
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            // The rename is done; a directory that cannot be flushed (some network file systems) does
            // not undo it.
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

/// The C library's text for an errno value, e.g. "No space left on device".
public func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

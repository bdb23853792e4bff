import VeilCore
import Glibc
import VeilMedia

/// A system call on a recording failed. Keeps errno, so that a full disk (which pauses the
/// recording until space returns) can be told from other failures.
struct RecordingFailure: Error, CustomStringConvertible {
    let action: String
    let path: String
    let code: Int32

    var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }
    var description: String { "cannot \(action) '\(path)': \(errnoText(code))" }
}

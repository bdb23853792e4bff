import Foundation

/// A named thread for a worker that must never take time from the frame threads.
public enum WorkerThread {
    /// Starts `body` on a thread named `name` (as `top -H` shows it), at `niceness` above the frame
    /// threads' 0 when given. Linux keeps nice values per thread: `setpriority` with 0 names the calling
    /// thread.
    public static func start(name: String, niceness: Int32? = nil, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            if let niceness { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
            body()
        }
        thread.name = name
        thread.start()
    }
}

/// What one thread uses alone until it ends, created by another that reads it again only after joining
/// it (a file pipeline's reader, detector and writer, with their stage clocks): the hand-over the
/// compiler cannot see. @unchecked for that reason; never for a value two running threads share.
public final class ThreadOwned<Value>: @unchecked Sendable {
    public var value: Value

    public init(_ value: Value) { self.value = value }
}

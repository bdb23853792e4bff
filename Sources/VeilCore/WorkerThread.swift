import Foundation

/// The threads Veil starts: each named (as `top -H` shows it), and workers that must never take time
/// from the frame threads at a lower priority.
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

    /// Runs blocking work (joining threads, loading models) on a thread of its own and waits for it
    /// without holding one of the cooperative pool's threads, of which this machine has two.
    public static func run(name: String, niceness: Int32? = nil, _ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            start(name: name, niceness: niceness) {
                body()
                done.resume()
            }
        }
    }
}

/// What one thread uses alone until it ends, created by another that reads it again only after joining
/// it (a file pipeline's reader, detector and writer, with their stage clocks): the hand-over the
/// compiler cannot see. @unchecked for that reason; never for a value two running threads share.
public final class ThreadOwned<Value>: @unchecked Sendable {
    public var value: Value

    public init(_ value: Value) { self.value = value }
}

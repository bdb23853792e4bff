import Foundation
import VeilCore
#if canImport(Glibc)
import Glibc
#endif

/// Tells the service manager how the daemon is doing: the sd_notify protocol, one datagram of
/// newline-separated `KEY=value` assignments to the AF_UNIX socket named by $NOTIFY_SOCKET (a path,
/// or an abstract socket when it starts with '@'). Outside systemd ($NOTIFY_SOCKET unset) every call
/// does nothing, so the daemon runs the same from a shell.
///
/// Sending is one `sendto` on a socket opened once, safe from any thread: the frame loops ping the
/// watchdog directly.
public final class SystemdNotifier: Sendable {
    /// How often systemd expects `WATCHDOG=1` at the latest (`WatchdogSec=`); nil when the watchdog is
    /// off or meant for another process. Ping at half of it, as sd_watchdog_enabled(3) advises.
    public let watchdogInterval: Duration?

    private let socket: Int32?
    private let address: sockaddr_un
    private let addressLength: socklen_t

    /// - Parameters:
    ///   - environment: where NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are read (the process's
    ///     own by default; tests pass their own).
    ///   - pid: this process, compared with WATCHDOG_PID.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: pid_t = getpid()) {
        watchdogInterval = Self.watchdogInterval(environment: environment, pid: pid)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard let name = environment["NOTIFY_SOCKET"], let length = Self.fill(&address, with: name) else {
            socket = nil
            self.address = address
            addressLength = 0
            return
        }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        socket = fd >= 0 ? fd : nil
        self.address = address
        addressLength = length
    }

    deinit {
        if let socket { close(socket) }
    }

    /// Whether a service manager is listening (NOTIFY_SOCKET was set and a socket could be opened).
    public var isEnabled: Bool { socket != nil }

    /// Startup is finished: every camera's pipeline is running (or retrying its source).
    public func ready(status: String? = nil) {
        send(["READY=1"] + statusLine(status))
    }

    /// A free-form line shown by `systemctl status`.
    public func status(_ text: String) {
        send(statusLine(text))
    }

    /// The daemon is alive; systemd restarts it when these stop for `WatchdogSec`.
    public func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// A reload has begun; `ready()` ends it. MONOTONIC_USEC lets systemd 253+ tell this reload from
    /// an earlier one (Type=notify-reload needs it); older versions ignore it.
    public func reloading(status: String? = nil) {
        let microseconds = MonotonicClock.now() / 1_000
        send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"] + statusLine(status))
    }

    /// Shutdown has begun.
    public func stopping(status: String? = nil) {
        send(["STOPPING=1"] + statusLine(status))
    }

    /// Sends assignments in one datagram. Returns false when nothing was delivered (no socket, or
    /// the manager is gone): callers carry on, the protocol is advisory.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard let socket, !assignments.isEmpty else { return false }
        let message = Array(assignments.joined(separator: "\n").utf8)
        var address = self.address
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(socket, message, message.count, Int32(MSG_NOSIGNAL), $0, addressLength)
            }
        }
        return sent == message.count
    }

    /// STATUS= holds one line: a newline would start a new (bogus) assignment.
    private func statusLine(_ text: String?) -> [String] {
        guard let text else { return [] }
        return ["STATUS=" + text.split(whereSeparator: \.isNewline).joined(separator: "; ")]
    }

    private static func watchdogInterval(environment: [String: String], pid: pid_t) -> Duration? {
        guard let value = environment["WATCHDOG_USEC"], let microseconds = UInt64(value), microseconds > 0 else {
            return nil
        }
        // systemd sets WATCHDOG_PID so that a child which inherited the environment does not ping for us.
        if let owner = environment["WATCHDOG_PID"], pid_t(owner) != pid { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// Writes NOTIFY_SOCKET's name into `address`; returns the address length, or nil when the name
    /// is empty, relative, or too long.
    private static func fill(_ address: inout sockaddr_un, with name: String) -> socklen_t? {
        var bytes = Array(name.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        guard abstract || bytes.first == UInt8(ascii: "/") else { return nil }
        // An abstract name starts with a NUL byte and is not NUL-terminated; a path is.
        if abstract { bytes[0] = 0 } else { bytes.append(0) }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count > 1, bytes.count <= capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count
        return socklen_t(length)
    }
}

import Foundation
import VeilSystemd
import XCTest

/// The notify protocol on a real AF_UNIX datagram socket, as systemd listens on it.
final class SystemdNotifierTests: XCTestCase {
    /// A bound datagram socket standing in for systemd's notify socket.
    private final class Listener {
        let fd: Int32
        let name: String
        private let path: String?

        /// - Parameter abstract: bind in the abstract namespace (NOTIFY_SOCKET "@name") instead of a path.
        init(abstract: Bool) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var bytes: [UInt8]
            if abstract {
                name = "@veil-test-\(UUID().uuidString)"
                path = nil
                bytes = [0] + Array(name.utf8.dropFirst())
            } else {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("veil-notify-\(UUID().uuidString)").path
                name = file
                path = file
                bytes = Array(file.utf8) + [0]
            }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            if let path { unlink(path) }
        }

        /// The next datagram, or nil after two seconds.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    func testMessagesArriveInOrderOnAPathSocket() throws {
        let listener = try Listener(abstract: false)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name])
        XCTAssertTrue(notifier.isEnabled)

        notifier.ready(status: "exam-room-1: 30.0 fps\nexam-room-2: reconnecting")
        notifier.watchdog()
        notifier.status("2 cameras")
        notifier.reloading()
        notifier.ready()
        notifier.stopping()

        XCTAssertEqual(listener.receive(), "READY=1\nSTATUS=exam-room-1: 30.0 fps; exam-room-2: reconnecting")
        XCTAssertEqual(listener.receive(), "WATCHDOG=1")
        XCTAssertEqual(listener.receive(), "STATUS=2 cameras")
        let reloading = try XCTUnwrap(listener.receive()).split(separator: "\n")
        XCTAssertEqual(reloading.first, "RELOADING=1")
        XCTAssertEqual(reloading.count, 2)
        let monotonic = try XCTUnwrap(reloading.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        XCTAssertLessThanOrEqual(monotonic, UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000)
        XCTAssertEqual(listener.receive(), "READY=1")
        XCTAssertEqual(listener.receive(), "STOPPING=1")
    }

    func testAbstractSocket() throws {
        let listener = try Listener(abstract: true)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name])
        XCTAssertTrue(notifier.send(["READY=1", "STATUS=up"]))
        XCTAssertEqual(listener.receive(), "READY=1\nSTATUS=up")
    }

    /// From a shell, or when systemd is gone, the daemon carries on.
    func testWithoutASocketNothingIsSent() throws {
        let unset = SystemdNotifier(environment: [:])
        XCTAssertFalse(unset.isEnabled)
        XCTAssertFalse(unset.send(["READY=1"]))
        unset.watchdog()
        XCTAssertFalse(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]).isEnabled)
        let gone = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/veil-notify"])
        XCTAssertFalse(gone.send(["READY=1"]))
    }

    func testWatchdogInterval() {
        let pid = getpid()
        XCTAssertEqual(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000"]).watchdogInterval, .seconds(10))
        XCTAssertEqual(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "\(pid)"]).watchdogInterval,
                       .seconds(10))
        XCTAssertNil(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "\(pid + 1)"]).watchdogInterval,
                     "meant for another process")
        XCTAssertNil(SystemdNotifier(environment: ["WATCHDOG_USEC": "0"]).watchdogInterval)
        XCTAssertNil(SystemdNotifier(environment: [:]).watchdogInterval)
    }

    func testPingsFromManyThreads() throws {
        let listener = try Listener(abstract: false)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in notifier.watchdog() }
        for _ in 0..<8 { XCTAssertEqual(listener.receive(), "WATCHDOG=1") }
    }
}

import Foundation

/// Whether the server has bound its address yet: lets a caller (the daemon's log line, the tests)
/// wait for the real port, which is only known after binding when the configured port is 0.
// @unchecked: `state` is read and written under `lock`.
final class ListeningState: @unchecked Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case listening(Int)
        case failed(any Error)
    }

    private let lock = NSLock()
    private var state = State.waiting([])

    var hasStarted: Bool {
        lock.lock()
        defer { lock.unlock() }
        if case .listening = state { return true }
        return false
    }

    func started(port: Int) {
        resolve(.listening(port)) { $0.resume(returning: port) }
    }

    func failed(_ error: any Error) {
        resolve(.failed(error)) { $0.resume(throwing: error) }
    }

    func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            defer { lock.unlock() }
            switch state {
            case .waiting(let waiters): state = .waiting(waiters + [continuation])
            case .listening(let port): continuation.resume(returning: port)
            case .failed(let error): continuation.resume(throwing: error)
            }
        }
    }

    private func resolve(_ outcome: State, _ wake: (CheckedContinuation<Int, any Error>) -> Void) {
        lock.lock()
        guard case .waiting(let waiters) = state else {
            lock.unlock()
            return
        }
        state = outcome
        lock.unlock()
        waiters.forEach(wake)
    }
}

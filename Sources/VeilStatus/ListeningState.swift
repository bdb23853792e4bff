import Synchronization

/// Whether the server has bound its address yet: lets a caller (the daemon's log line, the tests)
/// wait for the real port, which is only known after binding when the configured port is 0.
final class ListeningState: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case listening(Int)
        case failed(any Error)
    }

    private let state = Mutex(State.waiting([]))

    var hasStarted: Bool {
        state.withLock { if case .listening = $0 { true } else { false } }
    }

    func started(port: Int) {
        resolve(.listening(port)) { $0.resume(returning: port) }
    }

    func failed(_ error: any Error) {
        resolve(.failed(error)) { $0.resume(throwing: error) }
    }

    func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                switch state {
                case .waiting(let waiters): state = .waiting(waiters + [continuation])
                case .listening(let port): continuation.resume(returning: port)
                case .failed(let error): continuation.resume(throwing: error)
                }
            }
        }
    }

    private func resolve(_ outcome: State, _ wake: (CheckedContinuation<Int, any Error>) -> Void) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = outcome
            return waiters
        }
        waiters.forEach(wake)
    }
}

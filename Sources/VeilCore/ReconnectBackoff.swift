/// How long to wait before each attempt to reopen a lost camera: doubling from `initial` up to
/// `maximum`, so a briefly unplugged camera is back within a second while one that stays away is
/// not hammered (each failed open of a USB camera costs the hub a little).
public struct ReconnectBackoff: Sendable {
    public let initial: Double
    public let maximum: Double
    private var current: Double

    public init(initialSeconds: Double = 0.25, maximumSeconds: Double = 4) {
        precondition(initialSeconds > 0 && maximumSeconds >= initialSeconds, "backoff needs 0 < initial <= maximum")
        initial = initialSeconds
        maximum = maximumSeconds
        current = initialSeconds
    }

    /// The delay before the next attempt; each call doubles the one after, up to `maximum`.
    public mutating func nextDelay() -> Double {
        defer { current = min(current * 2, maximum) }
        return current
    }

    /// After a successful reopen: the next loss starts from `initial` again.
    public mutating func reset() { current = initial }
}

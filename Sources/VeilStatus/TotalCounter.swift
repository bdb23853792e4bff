import Prometheus

/// A registry counter that follows a running total kept by the pipeline. swift-prometheus counters
/// can only be incremented, so each scrape adds what the total grew by since the previous scrape.
/// A total that shrank means the pipeline started over: the counter is reset to it, which is what
/// Prometheus's `rate()` expects of a restarted process.
final class TotalCounter {
    private let counter: Counter
    private var last = 0.0

    init(_ counter: Counter) {
        self.counter = counter
    }

    func follow(_ total: Int) {
        follow(Double(total))
    }

    func follow(_ total: Double) {
        if total < last {
            counter.reset()
            last = 0
        }
        counter.increment(by: total - last)
        last = total
    }
}

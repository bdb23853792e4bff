import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The process's one metrics registry: a swift-metrics factory whose counters are swift-prometheus
/// series (rendered by `/metrics`) that can also be read back (by `/status`, `systemctl status` and
/// `veil bench`), so every figure has one record, written where its event happens.
///
/// swift-prometheus's own factory cannot be read back and registers every series without help text; this
/// one gives Veil's families (`MetricFamily`) their help and the latency histogram its buckets, and hands
/// anything else (a library's own instrumentation, once `MetricsSystem` is bootstrapped with it) to
/// swift-prometheus's factory unchanged.
///
/// Series live as long as the registry: a camera rebuilt by a reload continues its counters, which is what
/// Prometheus's `rate()` wants, and `destroy` calls are ignored for Veil's families.
public final class MeterRegistry: MetricsFactory, Sendable {
    public let prometheus: PrometheusCollectorRegistry
    private let others: PrometheusMetricsFactory
    private let counters = Mutex<[SeriesKey: ReadableCounter]>([:])

    /// A registry of its own: a benchmark's or a test's. The daemon uses `process`.
    public init() {
        prometheus = PrometheusCollectorRegistry()
        others = PrometheusMetricsFactory(registry: prometheus)
    }

    /// The daemon's registry. Its first use bootstraps swift-metrics' `MetricsSystem` with it, which a
    /// process may do only once: any swift-metrics instrumentation in the process reaches `/metrics` too.
    public static let process: MeterRegistry = {
        let registry = MeterRegistry()
        MetricsSystem.bootstrap(registry)
        return registry
    }()

    /// A series: a family's name and its label values in the order given.
    struct SeriesKey: Hashable {
        let name: String
        let labels: [String]

        init(_ name: String, _ dimensions: [(String, String)]) {
            self.name = name
            labels = dimensions.flatMap { [$0.0, $0.1] }
        }
    }

    // MARK: Reading back

    /// The total an integer counter has reached; 0 for a series nothing has counted yet.
    public func total(_ counter: CoreMetrics.Counter) -> Int {
        total(counter.label, counter.dimensions)
    }

    public func total(_ family: MetricFamily, _ dimensions: [(String, String)]) -> Int {
        total(family.name, dimensions)
    }

    /// The total a floating-point counter has reached (seconds, for the proof's cost).
    public func total(_ counter: FloatingPointCounter) -> Double {
        seconds(counter.label, counter.dimensions)
    }

    public func seconds(_ family: MetricFamily, _ dimensions: [(String, String)]) -> Double {
        seconds(family.name, dimensions)
    }

    private func seconds(_ name: String, _ dimensions: [(String, String)]) -> Double {
        counters.withLock { $0[SeriesKey(name, dimensions)] }?.floatingTotal ?? 0
    }

    /// Every series of `family` whose labels start with `prefix`, with the labels that follow it and its
    /// total: the faces by how they were handled, say.
    public func totals(_ family: MetricFamily, labelledWith prefix: [(String, String)]) -> [(labels: [(String, String)], total: Int)] {
        let start = SeriesKey(family.name, prefix).labels
        return counters.withLock { series in
            series.compactMap { key, counter -> (labels: [(String, String)], total: Int)? in
                guard key.name == family.name, key.labels.starts(with: start) else { return nil }
                let rest = key.labels.dropFirst(start.count)
                let labels = stride(from: rest.startIndex, to: rest.endIndex - 1, by: 2).map { (rest[$0], rest[$0 + 1]) }
                return (labels, counter.integerTotal)
            }
        }
    }

    private func total(_ name: String, _ dimensions: [(String, String)]) -> Int {
        counters.withLock { $0[SeriesKey(name, dimensions)] }?.integerTotal ?? 0
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        readableCounter(label, dimensions) ?? others.makeCounter(label: label, dimensions: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        readableCounter(label, dimensions) ?? others.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        others.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        others.makeMeter(label: label, dimensions: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard label == MetricFamily.latency.name else { return others.makeTimer(label: label, dimensions: dimensions) }
        return prometheus.makeDurationHistogram(descriptor: MetricFamily.latency.descriptor, labels: dimensions,
                                                buckets: MetricFamily.latencyBuckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if !(handler is ReadableCounter) { others.destroyCounter(handler) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if !(handler is ReadableCounter) { others.destroyFloatingPointCounter(handler) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) { others.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { others.destroyMeter(handler) }

    public func destroyTimer(_ handler: any TimerHandler) {
        if !(handler is DurationHistogram) { others.destroyTimer(handler) }
    }

    /// The one handler of a Veil family's series (made on first use), or nil for a label that is not Veil's.
    private func readableCounter(_ label: String, _ dimensions: [(String, String)]) -> ReadableCounter? {
        guard let family = MetricFamily.byName[label] else { return nil }
        return counters.withLock { series in
            let key = SeriesKey(label, dimensions)
            if let existing = series[key] { return existing }
            let counter = ReadableCounter(prometheus.makeCounter(descriptor: family.descriptor, labels: dimensions))
            series[key] = counter
            return counter
        }
    }
}

/// A swift-prometheus counter that also keeps its total where it can be read. swift-metrics counts whole
/// events as integers and seconds as doubles; each kind keeps its own total.
final class ReadableCounter: CounterHandler, FloatingPointCounterHandler, Sendable {
    private let series: Prometheus.Counter
    private let integers = Atomic<Int64>(0)
    private let floating = Mutex<Double>(0)

    init(_ series: Prometheus.Counter) {
        self.series = series
    }

    var integerTotal: Int { Int(integers.load(ordering: .relaxed)) }
    var floatingTotal: Double { floating.withLock { $0 } }

    func increment(by amount: Int64) {
        integers.add(amount, ordering: .relaxed)
        series.increment(by: amount)
    }

    func increment(by amount: Double) {
        floating.withLock { $0 += amount }
        series.increment(by: amount)
    }

    func reset() {
        integers.store(0, ordering: .relaxed)
        floating.withLock { $0 = 0 }
        series.reset()
    }
}

import Prometheus
import Synchronization
import VeilMetrics

/// `/metrics`: the registry the stages count into, rendered by swift-prometheus, after each scrape sets
/// the gauges of what is measured rather than counted (online, progress, latency percentiles, the
/// stability windows) from the cameras' state. Scrapes are serialised so that a scrape never renders a
/// gauge update half done.
final class MetricsExporter: Sendable {
    let registry: MeterRegistry
    /// The gauges set so far; held for the whole scrape.
    private let gauges = Mutex<[Series: Gauge]>([:])

    init(registry: MeterRegistry) {
        self.registry = registry
    }

    /// A time series: a family and its label values, in a fixed label order.
    private struct Series: Hashable {
        let name: String
        let labels: [String]

        init(_ family: MetricFamily, _ labels: [(String, String)]) {
            name = family.name
            self.labels = labels.flatMap { [$0.0, $0.1] }
        }
    }

    func render(_ cameras: [CameraStatus]) -> [UInt8] {
        gauges.withLock { gauges in
            for camera in cameras {
                update(camera, &gauges)
            }
            return registry.prometheus.emitToBuffer()
        }
    }

    private func update(_ camera: CameraStatus, _ gauges: inout [Series: Gauge]) {
        func set(_ family: MetricFamily, _ labels: [(String, String)], _ value: Double) {
            let key = Series(family, labels)
            let gauge = gauges[key] ?? registry.prometheus.makeGauge(descriptor: family.descriptor, labels: labels)
            gauges[key] = gauge
            gauge.set(to: value)
        }
        /// No value (nothing measured yet, or in the window): an absent series, rather than a made-up figure.
        func setOrRemove(_ family: MetricFamily, _ labels: [(String, String)], _ value: Double?) {
            if let value {
                set(family, labels, value)
            } else if let gauge = gauges.removeValue(forKey: Series(family, labels)) {
                registry.prometheus.unregisterGauge(gauge)
            }
        }

        let labels = [("camera", camera.name)]
        for output in camera.outputs {
            set(.outputPaused, labels + [("output", output.name)], output.paused ? 1 : 0)
        }
        set(.online, labels, camera.online ? 1 : 0)
        set(.secondsSinceProgress, labels, camera.secondsSinceProgress)
        setOrRemove(.identityDistanceMin, labels, camera.identityDistanceMin)
        for (window, figures) in camera.stability {
            let windowLabels = labels + [("window", window)]
            set(.facesMeasured, windowLabels, Double(figures.facesMeasured))
            setOrRemove(.keypointNME, windowLabels, figures.nme)
            setOrRemove(.keypointMovementNME, windowLabels, figures.nmeDynamic)
            setOrRemove(.keypointOKS, windowLabels, figures.oks)
            setOrRemove(.landmarkJitter, windowLabels + [("side", "input")], figures.jitterInput)
            setOrRemove(.landmarkJitter, windowLabels + [("side", "output")], figures.jitterOutput)
            setOrRemove(.identityPassRatio, windowLabels, figures.identityPassRatio)
        }
        for (quantile, value) in [("0.5", camera.latencyP50), ("0.95", camera.latencyP95), ("0.99", camera.latencyP99)] {
            set(.latencyQuantile, labels + [("quantile", quantile)], value)
        }
        set(.latencyMax, labels, camera.latencyMax)
    }
}

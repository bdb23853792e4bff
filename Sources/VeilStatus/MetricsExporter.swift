import Foundation
import Prometheus

/// `/metrics`: each scrape copies the cameras' snapshots into a swift-prometheus registry and renders
/// it. The registry is this exporter's own, never the global `MetricsSystem`'s, so any number of
/// servers can live in one process. Scrapes are serialised: the counters' deltas depend on the
/// previous scrape, and an update must not be rendered half done.
// @unchecked: every scrape runs under `lock`.
final class MetricsExporter: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let lock = NSLock()
    private var counters: [Series: TotalCounter] = [:]
    private var gauges: [Series: Gauge] = [:]
    private var latencies: [String: LatencySeries] = [:]

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
        lock.lock()
        defer { lock.unlock() }
        for camera in cameras {
            update(camera)
        }
        return registry.emitToBuffer()
    }

    private func update(_ camera: CameraStatus) {
        let labels = [("camera", camera.name)]
        count(.framesIn, labels, camera.framesIn)
        count(.framesOut, labels, camera.framesOut)
        count(.framesDropped, labels, camera.dropped)
        count(.failClosed, labels, camera.failClosed)
        count(.noPassInTime, labels, camera.noPassInTime)
        count(.secondOpinionPasses, labels, camera.secondOpinionPasses)
        count(.recallIncidents, labels, camera.recallIncidents)
        count(.ladder, labels + [("rung", "tracked")], camera.tracked)
        count(.ladder, labels + [("rung", "quick_cover")], camera.quickCover)
        count(.ladder, labels + [("rung", "dropped_late")], camera.droppedLate)
        count(.placeholders, labels, camera.placeholders)
        count(.cameraLosses, labels, camera.losses)
        count(.cameraReconnects, labels, camera.reconnects)
        count(.cameraDriverDrops, labels, camera.driverDrops)
        for (handling, faces) in camera.faces {
            count(.faces, labels + [("handling", handling)], faces)
        }
        count(.identityChecks, labels, camera.identityChecks)
        count(.identityIncidents, labels, camera.identityIncidents)
        count(.stabilitySamples, labels, camera.stabilitySamples)
        count(.proofSeconds, labels + [("kind", "stability")], camera.stabilitySeconds)
        count(.proofSeconds, labels + [("kind", "identity")], camera.identitySeconds)
        count(.encoderFrames, labels, camera.framesEncoded)
        count(.encodeErrors, labels, camera.encodeErrors)
        count(.encoderDropped, labels, camera.outputFramesDropped)
        for output in camera.outputs {
            let outputLabels = labels + [("output", output.name)]
            count(.outputPackets, outputLabels, output.sent)
            count(.outputBytes, outputLabels, output.bytes)
            count(.outputErrors, outputLabels, output.errors)
            count(.outputDropped, outputLabels, output.dropped)
            set(.outputPaused, outputLabels, output.paused ? 1 : 0)
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

        let latency = latencies[camera.name] ?? LatencySeries(registry: registry, labels: labels)
        latencies[camera.name] = latency
        latency.follow(buckets: camera.latencyBuckets, maximum: camera.latencyMax)
    }

    /// No value (nothing measured yet, or in the window): an absent series, rather than a made-up figure.
    private func setOrRemove(_ family: MetricFamily, _ labels: [(String, String)], _ value: Double?) {
        if let value {
            set(family, labels, value)
        } else if let gauge = gauges.removeValue(forKey: Series(family, labels)) {
            registry.unregisterGauge(gauge)
        }
    }

    private func count(_ family: MetricFamily, _ labels: [(String, String)], _ total: Double) {
        let key = Series(family, labels)
        let counter = counters[key] ?? TotalCounter(registry.makeCounter(descriptor: family.descriptor, labels: labels))
        counters[key] = counter
        counter.follow(total)
    }

    private func count(_ family: MetricFamily, _ labels: [(String, String)], _ total: Int) {
        let key = Series(family, labels)
        let counter = counters[key] ?? TotalCounter(registry.makeCounter(descriptor: family.descriptor, labels: labels))
        counters[key] = counter
        counter.follow(total)
    }

    private func set(_ family: MetricFamily, _ labels: [(String, String)], _ value: Double) {
        let key = Series(family, labels)
        let gauge = gauges[key] ?? registry.makeGauge(descriptor: family.descriptor, labels: labels)
        gauges[key] = gauge
        gauge.set(to: value)
    }
}

import CoreMetrics
import VeilMetrics
import XCTest

final class MeterRegistryTests: XCTestCase {
    func testWhatAStageCountsReadsBackAndRendersWithItsHelpText() {
        let registry = MeterRegistry()
        let meters = CameraMeters(camera: "room-1", registry: registry)
        meters.framesIn.increment()
        meters.framesIn.increment(by: 2)
        meters.stabilitySeconds.increment(by: 0.25)
        XCTAssertEqual(meters.framesIn.total, 3)
        XCTAssertEqual(registry.total(.framesIn, [("camera", "room-1")]), 3)
        XCTAssertEqual(registry.seconds(.proofSeconds, [("camera", "room-1"), ("kind", "stability")]), 0.25)
        XCTAssertEqual(registry.total(.framesIn, [("camera", "room-2")]), 0, "another camera's series is its own")

        let text = String(decoding: registry.prometheus.emitToBuffer(), as: UTF8.self)
        XCTAssertTrue(text.contains("# HELP veil_frames_in_total \(MetricFamily.framesIn.help)"), text)
        XCTAssertTrue(text.contains(#"veil_frames_in_total{camera="room-1"} 3"#), text)
    }

    func testTwoMetersOfOneCameraShareTheirSeries() {
        let registry = MeterRegistry()
        CameraMeters(camera: "room-1", registry: registry).faces("swapped").increment(by: 4)
        CameraMeters(camera: "room-1", registry: registry).faces("swapped").increment()
        CameraMeters(camera: "room-1", registry: registry).faces("covered").increment()
        let faces = registry.totals(.faces, labelledWith: [("camera", "room-1")])
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: faces.map { ($0.labels.first!.1, $0.total) }), ["swapped": 5, "covered": 1])
    }

    func testALabelThatIsNotVeilsGoesToPrometheusUnchanged() {
        let registry = MeterRegistry()
        Counter(label: "library_requests_total", dimensions: [("path", "/x")], factory: registry).increment(by: 7)
        let text = String(decoding: registry.prometheus.emitToBuffer(), as: UTF8.self)
        XCTAssertTrue(text.contains(#"library_requests_total{path="/x"} 7"#), text)
        XCTAssertFalse(text.contains("# HELP library_requests_total"), text)
    }
}

import Foundation
import VeilMedia
import VeilMetrics
@testable import VeilOutput
import XCTest

/// A sink whose writes hang until released, as a write to a hung network mount or a dying disk does.
private final class StalledSink: PacketSink {
    let writing = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    func open(_ stream: EncodedStream) throws {}
    func write(_ packet: EncodedPacket) throws {
        writing.signal()
        release.wait()
    }
    func idle() throws {}
    func close() {}
    func retryInterval(after error: Error) -> Double? { nil }
}

final class OutputShutdownTests: OutputTestCase {
    func testShutdownGoesOnWithoutAnOutputStuckInAWrite() throws {
        let encoder = try LiveEncoder(options: EncoderOptions(bitrateKbps: 800, gop: 15), width: 320, height: 240, frameRate: 30,
                                      name: "test encoder")
        var packets: [EncodedPacket] = []
        try encoder.encode(FrameFeeder.gradient(width: 320, height: 240, phase: 0), captureTime: DispatchTime.now().uptimeNanoseconds) {
            packets.append($0)
        }
        try encoder.flush { packets.append($0) }
        let keyframe = try XCTUnwrap(packets.first { $0.isKeyframe })

        let sink = StalledSink()
        // Lets the output's thread end after the test.
        defer { sink.release.signal() }
        let output = PacketOutput(name: "record /stuck", sink: sink, stream: encoder.stream,
                                  meters: CameraMeters(camera: "cam").output("record /stuck"), logger: logger)
        output.start()
        output.offer(keyframe)
        XCTAssertEqual(sink.writing.wait(timeout: .now() + 10), .success, "the packet never reached the sink")

        let finished = DispatchSemaphore(value: 0)
        Thread { [output] in
            output.finish(by: .now() + 0.2)
            finished.signal()
        }.start()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success, "finish waited for a write that never ends")
        XCTAssertEqual(log.lines(containing: "still writing at shutdown").count, 1, "\(log.all)")
        XCTAssertEqual(output.statistics.lastError, "still writing at shutdown")
    }
}

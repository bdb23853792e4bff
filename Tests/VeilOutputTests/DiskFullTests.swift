import Foundation
import VeilOutput
import VeilTestSupport
import XCTest
import VeilCore

/// A recording on a full filesystem pauses while RTP goes on, and resumes with a new segment once
/// there is room again. Needs root, for a small tmpfs.
final class DiskFullTests: OutputTestCase {
    func testFullDiskPausesRecordingWhileRTPGoesOn() throws {
        let disk = path("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mount = try Program.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", disk], timeout: 60)
        guard mount.status == 0 else { throw XCTSkip("cannot mount a tmpfs here (needs root): \(mount.stderr)") }
        defer { _ = try? Program.run("/bin/umount", [disk], timeout: 60) }
        // Leave about 1 MiB: room for a segment to start (2 s of video at 3000 kbps), then fill up.
        let filler = "\(disk)/filler"
        try Data(count: 1024 * 1024).write(to: URL(fileURLWithPath: filler))

        let outputs = try outputs([.record(directory: "\(disk)/rec", segmentSeconds: 600, container: .mkv, maxTotalBytes: nil),
                                   .rtp(address: Endpoint.destination("127.0.0.1:\(rtpPort())"), sdpPath: path("camera.sdp"))],
                                  encoder: EncoderOptions(bitrateKbps: 3000, gop: 15))
        outputs.start()
        let feeder = FrameFeeder(outputs, noise: true)
        feeder.start()
        defer { feeder.stop(); outputs.stop() }

        try waitFor("the recording to pause", seconds: 20) { outputs.statistics.outputs[0].paused }
        let paused = outputs.statistics.outputs
        XCTAssertTrue(paused[0].lastError?.contains("No space left on device") == true, paused[0].lastError ?? "")
        // Long enough for a retry (every 5 s), which finds the disk still full.
        Thread.sleep(forTimeInterval: 6)
        let later = outputs.statistics.outputs
        XCTAssertGreaterThanOrEqual(later[1].sent - paused[1].sent, 150, "RTP stalled while the disk was full")
        XCTAssertFalse(later[1].paused)
        XCTAssertEqual(later[1].errors, 0)
        XCTAssertTrue(later[0].paused, "the recording should still be paused")
        XCTAssertGreaterThanOrEqual(later[0].errors, 2, "the recording should have been retried")
        XCTAssertEqual(log.lines(containing: "output paused").count, 1, "one line per change of state: \(log.all)")

        try FileManager.default.removeItem(atPath: filler)
        try waitFor("the recording to resume", seconds: 15) { !outputs.statistics.outputs[0].paused }
        feeder.stop()
        outputs.stop()
        let names = try files(in: "disk/rec", endingWith: ".mkv")
        XCTAssertEqual(names.count, 2, "a new segment after the pause: \(names)")
        for name in names {
            XCTAssertGreaterThan(try Tool.probe(path("disk/rec/\(name)")).frames, 0, name)
        }
        XCTAssertEqual(log.lines(containing: "output recovered").count, 1, "\(log.all)")
    }
}

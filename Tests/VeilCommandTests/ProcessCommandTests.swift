import Foundation
import VeilTestSupport
import XCTest

/// `veil process` end to end, on moving clips made from real face stills (see scripts/make-sample.sh),
/// checked with the real ffprobe and ffmpeg.
final class ProcessCommandTests: DirectoryTestCase {

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Stability log records: the per-face lines and the summary.
    private func stability(_ path: String) throws -> (faces: [[String: Any]], summary: [String: Any]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let summary = try XCTUnwrap(objects.last, "a summary record ends the log")
        XCTAssertEqual(summary["summary"] as? Bool, true)
        return (Array(objects.dropLast()), summary)
    }

    func testSwapKeepsFramesTimestampsAudioAndKeypointsAndChangesOnlyTheFace() throws {
        let input = try Run.sample("sample.mp4")
        let output = path("out.mp4"), log = path("stability.jsonl")
        let result = try Run.veil("process", input, "-o", output, "--stability-log", log)
        XCTAssertEqual(result.status, 0, result.stderr)

        let before = try Probe(input), after = try Probe(output)
        XCTAssertEqual(after.videoFrames.count, before.videoFrames.count, "same frame count")
        XCTAssertEqual(after.videoFrames, before.videoFrames, "same timestamps")
        XCTAssertEqual([after.width, after.height], [before.width, before.height])
        XCTAssertEqual(after.audioStreams, 1, "audio kept")

        let (faces, summary) = try stability(log)
        XCTAssertEqual(summary["frames"] as? Int, before.videoFrames.count)
        XCTAssertGreaterThanOrEqual(faces.count, before.videoFrames.count, "a record per face per frame")
        let swapped = faces.filter { ($0["handling"] as? String) != "covered" }
        XCTAssertGreaterThan(Double(swapped.count), 0.9 * Double(faces.count), "the face is swapped, not covered")
        // The face the file opens with is swapped from its first frame: that frame is a detection pass of
        // its own, where a look-ahead alone would leave it covered.
        let opening = faces.filter { $0["frame"] as? Int == 0 }
        XCTAssertFalse(opening.isEmpty, "a face on the first frame")
        XCTAssertTrue(opening.allSatisfy { $0["handling"] as? String == "swapped" }, "\(opening)")
        // Keypoints kept: the landmarks found again on the output stay close to the subject's.
        let nme = try XCTUnwrap(summary["nme_mean"] as? Double)
        XCTAssertLessThan(nme, 0.05, "mean landmark error in inter-ocular distances")
        let dynamic = try XCTUnwrap(summary["nme_dynamic_mean"] as? Double)
        XCTAssertLessThan(dynamic, 0.03, "movement error")
        // Identity: checked at least once a second, and the last check of the track passes.
        let checks = faces.compactMap { $0["identity_distance"] as? Double }
        XCTAssertGreaterThanOrEqual(checks.count, before.videoFrames.count / 30)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(checks.last), 0.6, "the swapped face is not the subject")

        // Only the face changed: the changed pixels sit in a region much smaller than the frame.
        let original = try greyFrames(input, every: 30), anonymized = try greyFrames(output, every: 30)
        XCTAssertEqual(original.frames.count, anonymized.frames.count)
        for (a, b) in zip(original.frames, anonymized.frames) {
            var changed = 0, minX = Int.max, maxX = 0, minY = Int.max, maxY = 0
            for i in a.indices where abs(Int(a[i]) - Int(b[i])) > 24 {
                changed += 1
                let x = i % original.width, y = i / original.width
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            }
            XCTAssertGreaterThan(changed, 2000, "the face region changed")
            let box = (maxX - minX) * (maxY - minY)
            XCTAssertLessThan(Double(box), 0.25 * Double(original.width * original.height), "changes stay around the face")
        }
    }

    func testCoverModesHideTheFaceOnAManWithoutAudioLoss() throws {
        let input = try Run.sample("subject-messi.mp4")
        for mode in ["blur", "pixelate", "mask"] {
            let output = path("\(mode).mkv")
            let result = try Run.veil("process", input, "-o", output, "--mode", mode)
            XCTAssertEqual(result.status, 0, "\(mode): \(result.stderr)")
            let probe = try Probe(output)
            XCTAssertEqual(probe.relativeMilliseconds, try Probe(input).relativeMilliseconds, mode)
            XCTAssertEqual(probe.audioStreams, 1)
            let a = try greyFrames(input, every: 45), b = try greyFrames(output, every: 45)
            for (x, y) in zip(a.frames, b.frames) {
                let changed = zip(x, y).filter { abs(Int($0) - Int($1)) > 24 }.count
                XCTAssertGreaterThan(changed, 300, "\(mode) changed the face")
            }
        }
    }

    func testASubjectTooCloseToTheDonorsIsEscalatedAndNeverLeftRecognisable() throws {
        // Donors that are real faces, Grace Hopper's own photo among them: it must never be used, and
        // every check that fails must be followed by an escalation until the face passes or is covered.
        let input = try Run.sample("subject-hopper.mp4")
        let log = path("hopper.jsonl")
        let realFaces = Run.repository.appendingPathComponent("data/donor-sources").path
        let result = try Run.veil("process", input, "-o", path("hopper.mp4"), "--donor", realFaces, "--stability-log", log)
        XCTAssertEqual(result.status, 0, result.stderr)
        let (faces, _) = try stability(log)
        XCTAssertFalse(faces.contains { ($0["donor"] as? String) == "grace_hopper.jpg" }, "the subject's own photo is no donor")
        for face in faces {
            if let d = face["identity_distance"] as? Double, d < 0.6 {
                XCTAssertNotNil(face["incident"], "a failed check is an incident and escalates")
            }
        }
        let last = try XCTUnwrap(faces.last)
        let lastCheck = faces.last { $0["identity_distance"] != nil }?["identity_distance"] as? Double ?? 0
        XCTAssertTrue(last["handling"] as? String == "covered" || lastCheck >= 0.6,
                      "the face ends covered or verified as someone else")
    }

    func testAPhoneVideoStoredSidewaysIsTurnedUprightAndItsFaceFound() throws {
        // A phone stores the picture sideways and asks players to turn it: the face detector must see
        // the face upright, or the face would go out untouched.
        let sideways = path("sideways.mp4"), flagged = path("phone.mp4")
        // A face large enough to be swapped (faces under 64 px are covered), so that landmarks show it upright.
        XCTAssertEqual(try Program.ffmpeg(["-i", try Run.sample("sample.mp4"), "-t", "1",
                                                "-vf", "transpose=1", "-c:v", "libx264", "-preset", "ultrafast", sideways]).status, 0)
        XCTAssertEqual(try Program.ffmpeg(["-i", sideways, "-c", "copy", "-metadata:s:v:0", "rotate=90", flagged]).status, 0)
        let output = path("phone-out.mp4"), log = path("phone.jsonl")
        let result = try Run.veil("process", flagged, "-o", output, "--stability-log", log)
        XCTAssertEqual(result.status, 0, result.stderr)
        let probe = try Probe(output)
        XCTAssertEqual([probe.width, probe.height], [1280, 720], "written upright")
        let (faces, _) = try stability(log)
        XCTAssertEqual(faces.count, probe.videoFrames.count, "the face is found in every frame")
        // Covered only until the face's first own detection (one frame in three), then swapped.
        let covered = faces.filter { $0["handling"] as? String == "covered" }.compactMap { $0["frame"] as? Int }
        XCTAssertTrue(covered.allSatisfy { $0 < 2 }, "swapped from its first own detection on: covered \(covered)")
    }

    func testInputWithoutAudioGivesOutputWithoutAudio() throws {
        let input = path("silent.mp4")
        let make = try Program.ffmpeg(["-i", try Run.sample("subject-messi.mp4"), "-an", "-t", "1",
                                           "-c:v", "copy", input])
        XCTAssertEqual(make.status, 0, make.stderr)
        let output = path("silent-out.mp4")
        let result = try Run.veil("process", input, "-o", output, "--mode", "blur")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try Probe(output).audioStreams, 0)
    }
}

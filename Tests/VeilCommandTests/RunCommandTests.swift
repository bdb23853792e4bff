import Foundation
import VeilTestSupport
import XCTest

/// `veil run` as systemd runs it: notify protocol on a real datagram socket, watchdog, reload, stop.
final class RunCommandTests: DirectoryTestCase {

    private func environment(_ listener: NotifyListener, watchdogSeconds: Int = 2) -> [String: String] {
        ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "\(watchdogSeconds * 1_000_000)"]
    }

    func testNotifiesReadyPingsWatchdogAndStopsCleanlyOnSIGTERM() throws {
        let sample = try Run.sample("sample.mp4")
        let listener = try NotifyListener(directory: directory)
        let port = try Ports.free()
        let config = try write(daemonConfig(cameras: [("room-1", 15), ("room-2", 15)], directory: directory, source: sample,
                                                  http: "127.0.0.1:\(port)"))
        let started = Date()
        let daemon = try DaemonProcess(config: config, environment: environment(listener))
        XCTAssertTrue(listener.wait(for: "READY=1", timeout: 60), "no READY=1; log:\n\(daemon.process.isRunning ? "" : daemon.output)")
        let ready = Date().timeIntervalSince(started)
        print("veil run: two cameras READY=1 after \(String(format: "%.2f", ready)) s")
        XCTAssertTrue(listener.wait(for: "WATCHDOG=1", count: 4, timeout: 10), "watchdog pings at half of WATCHDOG_USEC")

        // The HTTP endpoints see the running cameras.
        let metrics = try httpGet(port: port, "/metrics")
        XCTAssertEqual(metrics.status, 200)
        let framesIn = metrics.body.split(separator: "\n").first { $0.hasPrefix("veil_frames_in_total{camera=\"room-2\"}") }
        XCTAssertGreaterThan(framesIn.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0, 0, metrics.body)
        XCTAssertEqual(try httpGet(port: port, "/healthz").status, 200)
        let status = try httpGet(port: port, "/status")
        XCTAssertEqual(status.status, 200)
        XCTAssertTrue(status.body.contains("\"room-1\""), status.body)
        XCTAssertEqual(daemon.terminate(), 0)

        let texts = listener.messages.map(\.text)
        let readyIndex = try XCTUnwrap(texts.firstIndex { $0.contains("READY=1") })
        let firstPing = try XCTUnwrap(texts.firstIndex { $0.contains("WATCHDOG=1") })
        let stopping = try XCTUnwrap(texts.firstIndex { $0.contains("STOPPING=1") }, "no STOPPING=1")
        XCTAssertLessThan(readyIndex, firstPing)
        XCTAssertLessThan(firstPing, stopping)
        XCTAssertTrue(texts[readyIndex].contains("STATUS=room-1"), "status names the cameras: \(texts[readyIndex])")
        XCTAssertFalse(texts[(stopping + 1)...].contains { $0.contains("WATCHDOG=1") }, "no ping after STOPPING=1")

        // SIGTERM closed every recording cleanly: each plays to its end.
        for camera in ["room-1", "room-2"] {
            let files = try recordings(of: camera, in: directory)
            XCTAssertEqual(files.count, 1, camera)
            let probe = try Probe(files[0])
            XCTAssertEqual(probe.width, 320)
            XCTAssertGreaterThan(probe.videoFrames.count, 15, "\(camera) recorded a second at least")
        }
    }

    func testTheDaemonProvesItsWorkInTheStabilityLogAndMetrics() throws {
        // A swapping camera: keypoints measured on the output and identity checks, live, in /metrics and
        // in the stability log, which ends with the camera's summary and reads in `veil report`.
        let sample = try Run.sample("sample.mp4")
        let listener = try NotifyListener(directory: directory)
        let port = try Ports.free()
        let log = directory.appendingPathComponent("stability.jsonl").path
        let config = try write(daemonConfig(cameras: [("room-1", 15)], directory: directory, source: sample,
                                                  http: "127.0.0.1:\(port)", mode: "swap", stabilityLog: log,
                                                  size: "640x360"))
        let daemon = try DaemonProcess(config: config, environment: environment(listener))
        XCTAssertTrue(listener.wait(for: "READY=1", timeout: 60), "no READY=1; log:\n\(daemon.process.isRunning ? "" : daemon.output)")
        XCTAssertTrue(listener.wait(for: "WATCHDOG=1", count: 8, timeout: 15))
        let metrics = try httpGet(port: port, "/metrics").body
        func value(_ prefix: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        let oks = try XCTUnwrap(value("veil_keypoint_oks{camera=\"room-1\",window=\"60s\"}"), metrics)
        XCTAssertTrue(oks > 0.3 && oks <= 1, "keypoint similarity of the swapped faces: \(oks)")
        XCTAssertGreaterThan(value("veil_stability_samples_total{camera=\"room-1\"}") ?? 0, 0)
        XCTAssertNotNil(value("veil_landmark_jitter{camera=\"room-1\",window=\"60s\",side=\"output\"}"), metrics)

        // The status page names the camera, and its picture is the anonymized output: the same scene as
        // the input (the body matches a frame of it) with the face changed.
        let page = try httpGet(port: port, "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("<h2>room-1 <span class=\"state"), page.body)
        let jpeg = directory.appendingPathComponent("snapshot.jpg").path
        try Program.run("/usr/bin/curl", ["-sf", "-o", jpeg, "http://127.0.0.1:\(port)/cameras/room-1/snapshot.jpg"]).checked()
        let (face, body) = try faceAndBodyDifference(jpeg, against: sample, size: (640, 360))
        XCTAssertLessThan(body, 8, "the picture is of this camera's scene")
        // Measured: a swapped face 8.3 from the input beside a body 1.8; the input itself 1.3 and 1.4.
        XCTAssertGreaterThan(face, max(3 * body, body + 4), "the face in the picture is not the input's (face \(face), body \(body))")

        // A viewer that asks for pictures and never reads them holds up no frame: over 4 s the camera
        // (15 fps) still hands out at least half of its frames, and stays healthy.
        func framesOut() throws -> Int {
            let prefix = "veil_frames_out_total{camera=\"room-1\"}"
            let line = try httpGet(port: port, "/metrics").body.split(separator: "\n").first { $0.hasPrefix(prefix) }
            return Int(Double(line?.split(separator: " ").last ?? "") ?? 0)
        }
        let before = try framesOut()
        let stalled = try stalledViewer(port: port, path: "/cameras/room-1/snapshot.jpg", requests: 40)
        defer { close(stalled) }
        Thread.sleep(forTimeInterval: 4)
        XCTAssertGreaterThanOrEqual(try framesOut() - before, 30, "frames kept flowing while a viewer stalled")
        XCTAssertEqual(try httpGet(port: port, "/healthz").status, 200)
        XCTAssertEqual(daemon.terminate(), 0)

        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let faces = lines.filter { $0["track"] != nil }
        XCTAssertFalse(faces.isEmpty)
        XCTAssertTrue(faces.allSatisfy { $0["camera"] as? String == "room-1" })
        XCTAssertTrue(faces.contains { $0["oks"] != nil && $0["nme_dynamic"] != nil })
        XCTAssertTrue(faces.contains { ($0["identity_distance"] as? Double ?? 0) >= 0.6 }, "identity checks passed and logged")
        let summary = try XCTUnwrap(lines.last)
        XCTAssertEqual(summary["summary"] as? Bool, true, "the camera's summary closes the log")
        XCTAssertEqual(summary["camera"] as? String, "room-1")
        XCTAssertGreaterThan(summary["faces_measured"] as? Int ?? 0, 0)
        let report = try Run.veil("report", log)
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("room-1"), report.stdout)
    }

    func testWatchdogPingsStopWhenAPipelineStalls() throws {
        // A source that stops delivering without ending: a FIFO whose writer is frozen. The pipe is
        // shrunk to one page, held open here for that: at its default 64 KiB it buffered seconds of
        // this stream, which the daemon went on reading after the freeze.
        let fifo = directory.appendingPathComponent("camera.ts").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let pipeHolder = open(fifo, O_RDWR | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(pipeHolder, 0)
        let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ (Linux)
        XCTAssertEqual(fcntl(pipeHolder, setPipeSize, Int32(getpagesize())), Int32(getpagesize()))
        defer { close(pipeHolder) }
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        writer.arguments = ["-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=15",
                            "-t", "120", "-c:v", "mpeg2video", "-f", "mpegts", "-y", fifo]
        try writer.run()
        defer {
            kill(writer.processIdentifier, SIGCONT)
            writer.terminate()
        }
        let listener = try NotifyListener(directory: directory)
        let config = try write(daemonConfig(cameras: [("frozen", 15)], directory: directory, source: fifo, realtime: false))
        let daemon = try DaemonProcess(config: config, environment: environment(listener))
        XCTAssertTrue(listener.wait(for: "READY=1", timeout: 60), "no READY=1")
        XCTAssertTrue(listener.wait(for: "WATCHDOG=1", count: 3, timeout: 10), "pings while frames flow")

        kill(writer.processIdentifier, SIGSTOP)
        Thread.sleep(forTimeInterval: 3)
        let frozenAt = Date()
        Thread.sleep(forTimeInterval: 3)
        let late = listener.times(of: "WATCHDOG=1").filter { $0 > frozenAt }
        XCTAssertEqual(late.count, 0, "the watchdog is still pinged while the pipeline is stalled")

        // The writer ends: the file source ends, and the daemon with it.
        kill(writer.processIdentifier, SIGCONT)
        writer.terminate()
        _ = daemon.terminate()
        XCTAssertTrue(daemon.output.contains("pipeline stalled: frozen"), daemon.output)
    }

    /// One camera's network source (a real RTSP server) is missing at start, comes up, goes away and
    /// comes back: the daemon stays up throughout, that camera's recording carries the slate through
    /// each outage and live frames between, and the other camera's recording has no gap.
    func testANetworkCameraMissingAtStartAndLostMidStreamNeverStopsTheDaemonOrTouchesAnotherCamera() throws {
        let sample = try Run.sample("sample.mp4")
        let rtsp = try RTSPCamera(fps: 10)
        let listener = try NotifyListener(directory: directory)
        let port = try Ports.free()
        let config = try write(daemonConfig(cameras: [("steady", 10), ("ipcam", 10)], directory: directory, source: sample,
                                                  sources: ["ipcam": rtsp.url], http: "127.0.0.1:\(port)", sourceTimeoutMs: 1000))
        let daemon = try DaemonProcess(config: config, environment: environment(listener, watchdogSeconds: 10))
        XCTAssertTrue(listener.wait(for: "READY=1", timeout: 60), "READY=1 with a network camera missing")
        /// The camera's state in /status: online, and its reconnects.
        func ipcam() throws -> (online: Bool, reconnects: Int, losses: Int) {
            let body = try httpGet(port: port, "/status").body
            let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], body)
            let cameras = try XCTUnwrap(document["cameras"] as? [[String: Any]], body)
            let camera = try XCTUnwrap(cameras.first { $0["name"] as? String == "ipcam" }, body)
            let connection = try XCTUnwrap(camera["connection"] as? [String: Int], body)
            return (camera["online"] as? Bool ?? false, connection["reconnects"] ?? -1, connection["losses"] ?? -1)
        }
        func waitFor(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
            let end = Date().addingTimeInterval(timeout)
            while Date() < end {
                if try condition() { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
            XCTFail("\(what) within \(timeout) s")
        }
        Thread.sleep(forTimeInterval: 2)
        XCTAssertFalse(try ipcam().online)

        try rtsp.start()
        try waitFor("the camera online", timeout: 20) { try ipcam().online }
        Thread.sleep(forTimeInterval: 2)
        rtsp.stop()
        try waitFor("the camera offline", timeout: 10) { try !ipcam().online }
        Thread.sleep(forTimeInterval: 2)
        try rtsp.start()
        try waitFor("the camera back", timeout: 20) { try ipcam().reconnects == 2 }
        Thread.sleep(forTimeInterval: 2)
        let state = try ipcam()
        XCTAssertTrue(state.online)
        XCTAssertEqual(state.losses, 1)
        let metrics = try httpGet(port: port, "/metrics").body
        XCTAssertTrue(metrics.contains("veil_camera_reconnects_total{camera=\"ipcam\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("veil_camera_losses_total{camera=\"ipcam\"} 1"), metrics)
        XCTAssertTrue(daemon.process.isRunning, "the daemon stayed up")
        XCTAssertEqual(daemon.terminate(), 0)

        let log = daemon.output
        XCTAssertTrue(log.contains("camera ipcam: cannot open: "), log)
        XCTAssertTrue(log.contains("camera ipcam: lost: "), log)
        XCTAssertEqual(log.components(separatedBy: "camera ipcam: \(rtsp.url) is back after").count - 1, 2, log)
        // Both recordings run from start to stop: the other camera's without a frame missing (one lost
        // would make a 200 ms gap at 10 fps); the network camera's with the slate through each outage,
        // no gap longer than the silence that tells a loss (source_timeout_ms, 1 s here).
        for (camera, limit) in [("steady", 180), ("ipcam", 1300)] {
            let files = try recordings(of: camera, in: directory)
            XCTAssertEqual(files.count, 1, camera)
            let times = try Probe(files[0]).relativeMilliseconds
            XCTAssertGreaterThan(times.count, 80, camera)
            let longest = zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? 0
            XCTAssertLessThan(longest, limit, "\(camera)'s longest gap between frames, ms")
            print("\(camera): \(times.count) frames recorded, longest gap \(longest) ms")
        }
    }

    func testReloadRestartsOnlyTheChangedCameraAndKeepsAnUnchangedOneStreaming() throws {
        let sample = try Run.sample("sample.mp4")
        let listener = try NotifyListener(directory: directory)
        let config = try write(daemonConfig(cameras: [("steady", 5), ("changed", 15)], directory: directory, source: sample))
        let daemon = try DaemonProcess(config: config, environment: environment(listener))
        XCTAssertTrue(listener.wait(for: "READY=1", timeout: 60), "no READY=1")
        Thread.sleep(forTimeInterval: 2)

        // A bad file is rejected; the old configuration keeps running.
        try "[daemon]\nlog_levle = \"info\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        XCTAssertTrue(listener.wait(for: "READY=1", count: 2, timeout: 20), "READY=1 after a rejected reload")

        _ = try write(daemonConfig(cameras: [("steady", 5), ("changed", 10)], directory: directory, source: sample))
        daemon.signal(SIGHUP)
        XCTAssertTrue(listener.wait(for: "READY=1", count: 3, timeout: 60), "READY=1 after the reload")
        Thread.sleep(forTimeInterval: 2)
        XCTAssertEqual(daemon.terminate(), 0)

        XCTAssertEqual(listener.times(of: "RELOADING=1").count, 2)
        let log = daemon.output
        XCTAssertTrue(log.contains("reload rejected"), log)
        XCTAssertTrue(log.contains("log_levle"), "the rejection names the bad key")
        XCTAssertTrue(log.contains("1 kept, 1 restarted, 0 started, 0 removed"), log)

        // The unchanged camera kept one recording with no frame missing: every gap one interval (200 ms
        // at 5 fps), give or take the capture thread's scheduling jitter on a busy machine; one lost
        // frame would make a 400 ms gap, a restart (models loaded again) seconds.
        let steady = try recordings(of: "steady", in: directory)
        XCTAssertEqual(steady.count, 1)
        let times = try Probe(steady[0]).relativeMilliseconds
        XCTAssertGreaterThan(times.count, 20)
        let longest = zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? 0
        XCTAssertLessThan(longest, 300, "unchanged camera's longest gap across the reload, ms")
        // The changed one started a new recording at its new rate.
        XCTAssertEqual(try recordings(of: "changed", in: directory).count, 2)
    }

    /// SIGHUP reads the consent directory again: an enrolment removed while its person is shown ends
    /// the consent at once, and nobody is shown as that person afterwards.
    func testReloadReadsTheConsentDirectoryAgainAndARevokedPersonIsAnonymized() throws {
        let sample = try Run.sample("sample.mp4")
        let consent = directory.appendingPathComponent("consent").path
        let portrait = Run.repository.appendingPathComponent("data/subjects/obama.jpg").path
        let enrolled = try Run.veil("enroll", "dr-obama", portrait, "--consent", consent)
        XCTAssertEqual(enrolled.status, 0, enrolled.stderr)
        let listener = try NotifyListener(directory: directory)
        let port = try Ports.free()
        let config = try write(daemonConfig(cameras: [("room", 15)], directory: directory, source: sample,
                                                  http: "127.0.0.1:\(port)", size: "640x360", consent: consent))
        let daemon = try DaemonProcess(config: config, environment: environment(listener))
        XCTAssertTrue(listener.wait(for: "READY=1", timeout: 60), "no READY=1")
        func consented() throws -> Int {
            let body = try httpGet(port: port, "/status").body
            let status = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let camera = try XCTUnwrap((status["cameras"] as? [[String: Any]])?.first)
            return (camera["faces"] as? [String: Int])?["consented"] ?? 0
        }
        let shownBy = Date().addingTimeInterval(30)
        while try consented() == 0, Date() < shownBy { Thread.sleep(forTimeInterval: 0.25) }
        XCTAssertGreaterThan(try consented(), 0, "the enrolled person was shown before the reload")

        try FileManager.default.removeItem(atPath: consent + "/dr-obama.json")
        daemon.signal(SIGHUP)
        XCTAssertTrue(listener.wait(for: "READY=1", count: 2, timeout: 30), "READY=1 after the reload")
        Thread.sleep(forTimeInterval: 0.5)
        let afterReload = try consented()
        Thread.sleep(forTimeInterval: 3)
        XCTAssertEqual(try consented(), afterReload, "faces shown as the revoked person after the reload")
        XCTAssertEqual(daemon.terminate(), 0)
        let log = daemon.output
        let reread = try XCTUnwrap(log.range(of: "consent list read again:"), log)
        let names = log[reread.upperBound...].prefix { $0 != "\n" }
        XCTAssertTrue(names.trimmingCharacters(in: .whitespaces).isEmpty, "nobody is left on the list: \(names)")
        XCTAssertFalse(log[reread.upperBound...].contains("on the consent list as dr-obama"), log)
    }

    func testBadConfigFailsBeforeAnythingStarts() throws {
        let config = try write("[[camera]]\nname = \"a\"\nsource = \"/dev/video0\"\nfps = 500\n")
        let result = try Run.veil("run", "--config", config)
        XCTAssertNotEqual(result.status, 0)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("\(config): camera[0].fps"), result.stderr)
    }
}

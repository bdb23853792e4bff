import Foundation
import VeilMedia
import VeilMetrics
import VeilReport

/// `/`: one self-contained page a person opens on the box (a phone will do): per camera its state,
/// frames, latency, how faces were handled, the proof figures over the last minute as inline SVG,
/// recent incidents and the anonymized picture. No script, nothing fetched from elsewhere; it reloads
/// itself every few seconds. Served under a Content-Security-Policy that allows only its own style
/// (by hash) and pictures from the daemon.
enum StatusPage {
    static let refreshSeconds = 5
    /// Seconds in which a growing count makes a camera's state.
    static let recentSeconds = 5.0

    /// What a camera is doing now, worst first.
    enum State: String, Equatable {
        case offline = "offline: the slate is sent"
        case stalled = "stalled"
        case coveringWholeFrames = "covering whole frames"
        case detectorLate = "detector late"
        case running = "running"

        var css: String { self == .running ? "ok" : "bad" }
    }

    static func state(online: Bool, stalled: Bool, recent: [StatusHistory.Sample]) -> State {
        if !online { return .offline }
        if stalled { return .stalled }
        guard let last = recent.last, let first = recent.first(where: { $0.time >= last.time - recentSeconds }) else { return .running }
        if last.failClosed > first.failClosed { return .coveringWholeFrames }
        if last.noPassInTime > first.noPassInTime || last.droppedLate > first.droppedLate { return .detectorLate }
        return .running
    }

    static let contentSecurityPolicy: String = {
        let hash = Data(FileDigest.sha256(bytes: Array(style.utf8))).base64EncodedString()
        return "default-src 'none'; img-src 'self'; style-src 'sha256-\(hash)'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }()

    /// `token`: carried on in the page's own links (the picture, the reload), never shown.
    static func render(_ document: StatusDocument, history: StatusHistory, token: String?) -> String {
        let query = token.map { "?token=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
        var body = ["<h1>Veil</h1>",
                    "<p class=\"\(document.healthy ? "info" : "warning")\">\(document.healthy ? "Every camera is moving frames." : "A camera has stopped moving frames.") "
                    + "This page reloads every \(refreshSeconds) s. The picture is taken after the anonymizer.</p>"]
        for camera in document.cameras {
            body += section(camera, samples: history.samples(of: camera.name), query: query)
        }
        return HTML.page(title: "Veil status", style: style,
                         head: ["<meta http-equiv=\"refresh\" content=\"\(refreshSeconds); url=./\(query)\">"], body: body)
    }

    private static func section(_ camera: StatusDocument.Camera, samples: [StatusHistory.Sample], query: String) -> [String] {
        let state = state(online: camera.online, stalled: camera.stalled, recent: samples)
        let faces = camera.faces.values.reduce(0, +)
        let covered = camera.faces["covered"] ?? 0
        let name = escape(camera.name)
        var out = ["<section>",
                   "<h2>\(name) <span class=\"state \(state.css)\">\(escape(state.rawValue))</span></h2>",
                   "<img src=\"cameras/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)/snapshot.jpg\(query)\" "
                   + "alt=\"The latest anonymized frame of \(name)\">",
                   "<table>",
                   row("Frames", "\(camera.frames.in) in, \(camera.frames.out) out, \(camera.frames.dropped) dropped, \(camera.frames.failClosed) covered whole"),
                   row("Latency, capture to hand-off", String(format: "median %.0f ms, 99th percentile %.0f ms", 1000 * camera.latencySeconds.p50,
                                                               1000 * camera.latencySeconds.p99)),
                   row("Faces", "\(faces): " + camera.faces.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                       + (faces > 0 ? String(format: "; %.1f%% covered", 100 * Double(covered) / Double(faces)) : "")),
                   row("Identity", "\(camera.identity.checks) checks, \(camera.identity.incidents) incidents, least distance "
                       + (camera.identity.distanceMin.map { String(format: "%.3f", $0) } ?? "none yet")),
                   row("Keypoint error, last minute", camera.stability["60s"].map {
                       "\($0.facesMeasured) faces measured, NME " + ($0.nme.map { String(format: "%.4f", $0) } ?? "none")
                           + ", movement " + ($0.nmeDynamic.map { String(format: "%.4f", $0) } ?? "none")
                   } ?? "none"),
                   row("Faces a second detector found that the first missed", "\(camera.recall.incidents)"),
                   "</table>"]
        out += charts(samples)
        out += incidents(samples)
        out.append("</section>")
        return out
    }

    private static func charts(_ samples: [StatusHistory.Sample]) -> [String] {
        guard let last = samples.last?.time else { return [] }
        let range = (last - StatusHistory.keptSeconds)...last
        var nme = SVGChart(title: "Keypoint error (NME) each second", timeRange: range, valueRange: 0...0.1, valueLabel: "NME")
        nme.line(runs(samples.map { ($0.time, $0.nme) }), series: "nme", color: "#1f5fa8")
        nme.level(0.05, label: "0.05", color: "#888")
        var identity = SVGChart(title: "Identity checks passed each second", timeRange: range, valueRange: 0...1, valueLabel: "share")
        identity.line(runs(samples.map { ($0.time, $0.identityPassRatio) }), series: "identity", color: "#2e8b57")
        return ["<figure>\(nme.render())<figcaption>Keypoint error on the output, each second of the last minute.</figcaption></figure>",
                "<figure>\(identity.render())<figcaption>Share of identity checks at or above the margin, each second.</figcaption></figure>"]
    }

    /// Runs of measured points; a second without a measurement breaks the line.
    private static func runs(_ points: [(Double, Double?)]) -> [[(time: Double, value: Double)]] {
        var runs: [[(time: Double, value: Double)]] = [[]]
        for (time, value) in points {
            if let value { runs[runs.count - 1].append((time, value)) } else if !(runs.last?.isEmpty ?? true) { runs.append([]) }
        }
        return runs
    }

    private static func incidents(_ samples: [StatusHistory.Sample]) -> [String] {
        guard let last = samples.last else { return [] }
        var lines: [String] = []
        for (before, after) in zip(samples, samples.dropFirst()).reversed() {
            let ago = Int((last.time - after.time).rounded())
            for (what, grew) in [("identity check below the margin", after.identityIncidents - before.identityIncidents),
                                 ("face found by the second detector only", after.recallIncidents - before.recallIncidents),
                                 ("frame covered whole", after.failClosed - before.failClosed)] where grew > 0 {
                lines.append("<li>\(ago) s ago: \(grew) \(what)\(grew == 1 ? "" : "s")</li>")
            }
        }
        return ["<h3>Incidents in the last minute</h3>", lines.isEmpty ? "<p>None.</p>" : "<ul>" + lines.prefix(20).joined() + "</ul>"]
    }

    private static func row(_ what: String, _ value: String) -> String { "<tr><th>\(escape(what))</th><td>\(escape(value))</td></tr>" }

    private static func escape(_ text: String) -> String { HTML.escape(text) }

    static let style = """
        body{font-family:sans-serif;max-width:62em;margin:1em auto;padding:0 .8em;color:#222;line-height:1.4}
        img{width:100%;height:auto;background:#333}table{border-collapse:collapse;margin:.5em 0 1em;width:100%}
        th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f0f0f0;width:35%}
        .state{font-size:.7em;padding:.1em .5em;border-radius:.3em}.ok{background:#dff0d8}.bad{background:#f2dede}
        .info{background:#eef4fb;padding:.6em}.warning{background:#fcf3d9;border-left:4px solid #e69500;padding:.6em}
        figure{margin:.5em 0}svg{width:100%;height:auto}figcaption{font-size:.9em;color:#444}section{margin-bottom:2em}
        """
}

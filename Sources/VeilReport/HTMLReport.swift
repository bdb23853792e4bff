import VeilCore
import Foundation

/// The stability report as one self-contained HTML page: the terminal report's tables in plain words,
/// and charts over time drawn as inline SVG. No script, no external asset, no pixel of video.
public enum HTMLReport {
    /// The page spells out more incidents than the terminal; past this many it counts them.
    static let listedIncidents = 50

    public static func render(_ report: ReportSummary) -> String {
        let name = URL(fileURLWithPath: report.path).lastPathComponent
        var body = ["<h1>Face de-identification report</h1>",
                    "<p>From the stability log <code>\(HTML.escape(report.path))</code>, written by Veil while it anonymized the video. "
                    + "It holds figures only: no images.</p>"]
        let notice = TerminalReport.completeness(report).map(HTML.escape).joined(separator: "<br>")
        body.append("<p class=\"\(report.hasSummary && report.cutOffLine == nil ? "info" : "warning")\">\(notice)</p>")
        body += goals(report.whole.targets)
        body += figures(report.whole)
        if !report.cameras.isEmpty { body += cameras(report.cameras) }
        body.append("<h2>Over time</h2>")
        if report.cameras.isEmpty {
            body += charts(Timeline(report.records), margin: report.whole.identity.margin)
        } else {
            for camera in report.cameras {
                body.append("<h3>Camera \(HTML.escape(camera.camera))</h3>")
                body += charts(Timeline(report.records.filter { ($0.camera ?? ReportSummary.noCamera) == camera.camera }),
                              margin: report.whole.identity.margin)
            }
        }
        return HTML.page(title: "Veil report: \(name)", style: style, body: body)
    }

    /// Writes the page under a temporary name in the same directory and renames it into place, so a
    /// reader never sees half a page and a failed write leaves the old one.
    public static func write(_ html: String, to path: String) throws {
        do {
            try AtomicFile.write(Array(html.utf8), to: path, mode: 0o644)
        } catch {
            throw UserError(error.description)
        }
    }

    private static func goals(_ targets: [TargetCheck]) -> [String] {
        ["<h2>Goals</h2>", "<table>", row(["What is judged", "Goal", "Result"], header: true)]
            + targets.map { "<tr><td>\(HTML.escape($0.figure))</td><td>\(HTML.escape($0.goal))</td>\(verdictCell($0.verdict))</tr>" }
            + ["</table>"]
    }

    private static func figures(_ figures: ReportSummary.Figures) -> [String] {
        var out = ["<h2>Faces</h2>",
                   "<p>\(Format.plural(figures.faces, "face")) in \(Format.plural(figures.framesWithFaces, "frame")), "
                   + "\(Format.plural(figures.tracks, "track")) (a track is one person followed from frame to frame), "
                   + "time \(HTML.escape(Format.span(figures.firstTime, figures.lastTime))). "
                   + "\(Format.plural(figures.framesWithFallbackCover, "frame")) had a face hidden under the fallback cover.</p>",
                   "<table>", row(["How the face was handled", "Meaning", "Faces", "Share"], header: true)]
        for count in figures.handling {
            out.append(row([count.handling, handlingMeaning[count.handling] ?? "", "\(count.faces)",
                            Format.share(count.faces, of: figures.faces)], numeric: [2, 3]))
        }
        out.append("</table>")

        out += ["<h2>Keypoints kept</h2>",
                "<p>The landmarks of each face are found again on the anonymized video and compared with the person's own. "
                + "The error (NME) is their mean distance in inter-ocular distances (the distance between the eyes): 0.03 is 3% of it. "
                + "<em>Movement</em> removes each track's fixed difference in face shape and keeps what matters for research: "
                + "whether the face moves as the person's did.</p>",
                "<table>", row(["Figure", "Faces measured", "Mean", "Median", "95th percentile", "Largest", "Goal", "Result"], header: true)]
        out.append(distributionRow("Absolute NME", figures.nme, Format.nme, target: figures.absoluteTarget))
        out.append(distributionRow("Movement NME", figures.movementNME, Format.nme, target: figures.movementTarget))
        if let oks = figures.oks { out.append(distributionRow("OKS (1 = identical keypoints)", oks, Format.oks, target: nil)) }
        out.append("</table>")

        let identity = figures.identity
        out += ["<h2>Identity removed</h2>",
                "<p>On sampled frames a face recognition descriptor of the person is compared with one of the anonymized face. "
                + "A distance of at least \(identity.margin) means a face recognizer would not take them for the same person; "
                + "below it is an incident, and Veil changes the donor or covers the face.</p>",
                "<table>", row(["Checks", "Smallest distance", "Mean distance", "At or above \(identity.margin)", "Goal", "Result"], header: true),
                "<tr>" + numericCells(["\(identity.checks)", Format.distance(identity.distances?.min), Format.distance(identity.distances?.mean),
                                       "\(identity.passed) (\(Format.share(identity.passed, of: identity.checks)))"])
                + "<td>\(HTML.escape(figures.identityTarget.goal))</td>\(verdictCell(figures.identityTarget.verdict))</tr>",
                "</table>"]

        out.append("<h2>Incidents: \(figures.incidents.count)</h2>")
        if !figures.incidents.isEmpty {
            let showCamera = figures.incidents.contains { $0.camera != nil }
            out += ["<table>", row((showCamera ? ["Camera"] : []) + ["Frame", "Time", "Track", "What happened"], header: true)]
            for incident in figures.incidents.prefix(listedIncidents) {
                let camera = showCamera ? [incident.camera ?? ReportSummary.noCamera] : []
                out.append(row(camera + ["\(incident.frame)", Format.time(incident.time), "\(incident.track)", incident.text],
                               numeric: showCamera ? [1, 3] : [0, 2]))
            }
            out.append("</table>")
            if figures.incidents.count > listedIncidents {
                out.append("<p>… and \(figures.incidents.count - listedIncidents) more.</p>")
            }
        }

        let showCamera = figures.tracksFigures.contains { $0.camera != nil }
        let firstColumns = showCamera ? ["Camera"] : []
        let numeric = Set([1, 2, 5, 6, 7, 8, 9].map { $0 - (showCamera ? 0 : 1) })
        out += ["<h2>Tracks</h2>", "<table>",
                row(firstColumns + ["Track", "Faces", "Time", "Donor faces", "Mean NME", "Mean movement NME", "Identity checks",
                                    "Smallest distance", "Incidents"], header: true)]
        for track in figures.tracksFigures {
            let camera = showCamera ? [track.camera ?? ReportSummary.noCamera] : []
            out.append(row(camera + ["\(track.track)", "\(track.faces)", Format.span(track.firstTime, track.lastTime),
                                     track.donors.isEmpty ? Format.missing : track.donors.joined(separator: ", "),
                                     Format.nme(track.meanNME), Format.nme(track.meanMovementNME), "\(track.identityChecks)",
                                     Format.distance(track.minIdentityDistance), "\(track.incidents)"], numeric: numeric))
        }
        out.append("</table>")
        return out
    }

    private static func cameras(_ cameras: [ReportSummary.CameraFigures]) -> [String] {
        var out = ["<h2>Cameras</h2>", "<table>",
                   row(["Camera", "Frames with faces", "Faces", "Tracks", "Mean NME", "Mean movement NME", "Mean OKS",
                        "Identity checks passed", "Incidents", "Frames with a cover", "Goals"], header: true)]
        for camera in cameras {
            let f = camera.figures
            out.append(row([camera.camera, "\(f.framesWithFaces)", "\(f.faces)", "\(f.tracks)", Format.nme(f.nme?.mean),
                            Format.nme(f.movementNME?.mean), Format.oks(f.oks?.mean), "\(f.identity.passed) of \(f.identity.checks)",
                            "\(f.incidents.count)", "\(f.framesWithFallbackCover)", TerminalReport.targetsCell(f.targets)],
                           numeric: Set(1...9)))
        }
        out.append("</table>")
        return out
    }

    private static func charts(_ timeline: Timeline, margin: Double) -> [String] {
        var out: [String] = []
        let incidentNote = { (r: StabilityRecord) in "incident at \(Format.time(r.time)), track \(r.track): \(r.incident ?? "")" }

        let nmeValues = (timeline.nme + timeline.movementNME).flatMap { $0.map(\.value) }
        var nme = SVGChart(title: "Keypoint error per frame", timeRange: timeline.timeRange,
                           valueRange: 0...max(0.04, nmeValues.max() ?? 0), valueLabel: "NME (inter-ocular distances)")
        nme.level(TargetCheck.absoluteNMELimit, label: "absolute goal \(TargetCheck.absoluteNMELimit)", color: "#1f5fa8")
        nme.level(TargetCheck.movementNMELimit, label: "movement goal \(TargetCheck.movementNMELimit)", color: "#2e8b57")
        nme.line(timeline.nme.map { $0.map { ($0.time, $0.value) } }, series: "nme", color: "#1f5fa8")
        nme.line(timeline.movementNME.map { $0.map { ($0.time, $0.value) } }, series: "nme-movement", color: "#2e8b57")
        timeline.incidents.forEach { nme.mark(time: $0.time, note: incidentNote($0)) }
        let averaged = timeline.framesPerPoint > 1 ? " Each point averages \(timeline.framesPerPoint) frames." : ""
        out.append(figure(nme, caption: "Keypoint error per frame: <span class=\"blue\">absolute</span> and "
            + "<span class=\"green\">movement</span> NME, the mean over the frame's faces; lower is better.\(averaged) "
            + "Red vertical lines mark incidents, if any."))

        let distances = timeline.identityChecks.compactMap(\.identityDistance)
        var identity = SVGChart(title: "Identity distance on checked frames", timeRange: timeline.timeRange,
                                valueRange: 0...max(1, distances.max() ?? 0), valueLabel: "descriptor distance")
        identity.level(margin, label: "margin \(margin)", color: "#c0392b")
        for check in timeline.identityChecks {
            let distance = check.identityDistance!
            identity.point(time: check.time, value: distance, color: distance >= margin ? "#2e8b57" : "#c0392b",
                           note: "frame \(check.frame), track \(check.track): distance \(Format.distance(distance))")
        }
        timeline.incidents.forEach { identity.mark(time: $0.time, note: incidentNote($0)) }
        out.append(figure(identity, caption: "Identity checks: distance between the person and the anonymized face; "
            + "points above the dashed margin line mean not recognizable, higher is safer."))

        let widthText = timeline.bucketWidth == 1 ? "second" : "\(Int(timeline.bucketWidth)) seconds"
        let most = timeline.handling.map { $0.faces.values.reduce(0, +) }.max() ?? 0
        var handling = SVGChart(title: "Handling of faces per \(widthText)", timeRange: timeline.bucketRange,
                                valueRange: 0...Double(max(1, most)), valueLabel: "faces per \(widthText)")
        for bucket in timeline.handling {
            let kinds = ["swapped", "tracked", "covered"] + bucket.faces.keys.filter { handlingColor[$0] == nil }.sorted()
            handling.stackedBar(start: bucket.start, end: bucket.start + timeline.bucketWidth, parts: kinds.map { kind in
                let faces = bucket.faces[kind] ?? 0
                return (Double(faces), handlingColor[kind] ?? "#999",
                        "\(Format.time(bucket.start)): \(faces) \(kind)")
            })
        }
        timeline.incidents.forEach { handling.mark(time: $0.time, note: incidentNote($0)) }
        out.append(figure(handling, caption: "How faces were handled per \(widthText): <span class=\"blue\">swapped</span>, "
            + "<span class=\"lightblue\">tracked</span>, <span class=\"orange\">covered</span>."))
        return out
    }

    private static let handlingMeaning = [
        "swapped": "replaced by a donor face, placed on landmarks found in this frame",
        "tracked": "replaced by a donor face, placed on landmarks followed from the previous frame",
        "covered": "hidden under a cover: the safe fallback when a swap cannot be trusted",
    ]
    private static let handlingColor = ["swapped": "#1f5fa8", "tracked": "#7fb3e6", "covered": "#e69500"]

    private static func figure(_ chart: SVGChart, caption: String) -> String {
        "<figure>\n\(chart.render())\n<figcaption>\(caption)</figcaption>\n</figure>"
    }

    private static func distributionRow(_ name: String, _ d: Distribution?, _ format: (Double?) -> String, target: TargetCheck?) -> String {
        "<tr><td>\(HTML.escape(name))</td>" + numericCells(["\(d?.count ?? 0)", format(d?.mean), format(d?.p50), format(d?.p95), format(d?.max)])
            + "<td>\(HTML.escape(target?.goal ?? ""))</td>" + (target.map { verdictCell($0.verdict) } ?? "<td></td>") + "</tr>"
    }

    private static func verdictCell(_ verdict: TargetCheck.Verdict) -> String {
        let kind = verdict == .met ? "ok" : verdict == .notMet ? "bad" : "unknown"
        return "<td class=\"\(kind)\">\(verdict.rawValue)</td>"
    }

    private static func numericCells(_ cells: [String]) -> String {
        cells.map { "<td class=\"number\">\(HTML.escape($0))</td>" }.joined()
    }

    static func row(_ cells: [String], header: Bool = false, numeric: Set<Int> = []) -> String {
        let tag = header ? "th" : "td"
        return "<tr>" + cells.enumerated().map { index, cell in
            numeric.contains(index) ? "<\(tag) class=\"number\">\(HTML.escape(cell))</\(tag)>" : "<\(tag)>\(HTML.escape(cell))</\(tag)>"
        }.joined() + "</tr>"
    }

    static let style = """
        body{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
        table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
        th{background:#f0f0f0}.number{text-align:right;font-variant-numeric:tabular-nums}
        .ok{background:#dff0d8}.bad{background:#f2dede;font-weight:bold}.unknown{background:#f5f5f5}
        .info{background:#eef4fb;padding:.6em}.warning{background:#fcf3d9;border-left:4px solid #e69500;padding:.6em}
        figure{margin:1em 0}svg{width:100%;height:auto}figcaption{font-size:.9em;color:#444}
        .blue{color:#1f5fa8;font-weight:bold}.lightblue{color:#5b95cf;font-weight:bold}
        .green{color:#2e8b57;font-weight:bold}.orange{color:#e69500;font-weight:bold}
        """
}

/// Text made safe to put between HTML tags and in attribute values, and the one page shell every
/// Veil page is written in.
public enum HTML {
    /// A whole page: UTF-8, sized for a phone, one style block, `head` added to the head as it is.
    public static func page(title: String, style: String, head: [String] = [], body: [String]) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        \((head + ["<title>\(escape(title))</title>"]).joined(separator: "\n"))
        <style>\(style)</style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

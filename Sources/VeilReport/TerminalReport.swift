import VeilCore

/// The stability report as plain text for a terminal: what was logged, whether the keypoints were
/// kept and the identities removed, and the goals beside the figures.
public enum TerminalReport {
    public static func render(_ report: ReportSummary) -> String {
        var out: [String] = ["Stability log \(report.path)"]
        out += completeness(report).map { "  " + $0 }
        out.append("")
        out += figures(report.whole, logged: report.cameras.isEmpty ? report.loggedSummaries.first : nil)
        if !report.cameras.isEmpty { out += [""] + cameras(report.cameras) }
        out += ["", verdictLine(report.whole.targets)]
        return out.joined(separator: "\n") + "\n"
    }

    static func completeness(_ report: ReportSummary) -> [String] {
        let whole = report.whole
        var frames = "\(Format.plural(whole.framesWithFaces, "frame")) with faces"
        let loggedFrames = report.loggedSummaries.compactMap(\.frames)
        if !loggedFrames.isEmpty { frames += " (of \(loggedFrames.reduce(0, +)) in the run)" }
        var lines = ["\(frames), \(Format.plural(whole.faces, "face")), \(Format.plural(whole.tracks, "track")), "
            + "time \(Format.span(whole.firstTime, whole.lastTime))"]
        if report.hasSummary {
            lines.append("Summary record: present (the run finished)")
        } else {
            lines.append("Summary record: MISSING: the run did not finish; figures cover the records written before it stopped")
        }
        if let line = report.cutOffLine { lines.append("Line \(line) stops mid-record and is skipped") }
        return lines
    }

    static func figures(_ figures: ReportSummary.Figures, logged: StabilitySummaryRecord?) -> [String] {
        var out = ["Handling of faces"]
        out += table([["", "faces", "share"]] + figures.handling.map {
            [$0.handling, "\($0.faces)", Format.share($0.faces, of: figures.faces)]
        }, rightAligned: [1, 2])
        var cover = "  Frames with a fallback cover: \(figures.framesWithFallbackCover)"
        if let loggedCover = logged?.framesWithFallbackCover { cover += " (the run logged \(loggedCover))" }
        out += [cover, ""]

        out.append("Keypoint error (NME: landmark distance between subject and output, in inter-ocular distances)")
        var rows = [["", "faces", "mean", "p50", "p95", "max", "target"]]
        rows.append(distributionRow("absolute", figures.nme, Format.nme) + [Format.target(figures.absoluteTarget)])
        rows.append(distributionRow("movement", figures.movementNME, Format.nme) + [Format.target(figures.movementTarget)])
        if let oks = figures.oks { rows.append(distributionRow("OKS (1 = same)", oks, Format.oks) + [""]) }
        out += table(rows, rightAligned: [1, 2, 3, 4, 5])
        out.append("  movement: after removing the track's fixed shape offset; absolute target: faces keeping their own shape")
        if let logged, logged.nmeMean != nil || logged.nmeDynamicMean != nil {
            out.append("  The run logged: absolute mean \(Format.nme(logged.nmeMean)), p95 \(Format.nme(logged.nmeP95)); "
                + "movement (offset of the whole track) mean \(Format.nme(logged.nmeDynamicMean)), p95 \(Format.nme(logged.nmeDynamicP95))")
        }
        out.append("")

        let identity = figures.identity
        out.append("Identity checks (face descriptor distance between subject and output; margin \(identity.margin))")
        out.append("  \(Format.plural(identity.checks, "check")), min \(Format.distance(identity.distances?.min)), "
            + "mean \(Format.distance(identity.distances?.mean)), at or above the margin \(identity.passed) "
            + "(\(Format.share(identity.passed, of: identity.checks))); target \(Format.target(figures.identityTarget))")
        out.append("")

        out.append("Incidents: \(figures.incidents.count)")
        for incident in figures.incidents.prefix(ReportSummary.listedIncidents) {
            let camera = incident.camera.map { "camera \($0), " } ?? ""
            out.append("  \(camera)frame \(incident.frame) (\(Format.time(incident.time))), track \(incident.track): \(incident.text)")
        }
        if figures.incidents.count > ReportSummary.listedIncidents {
            out.append("  … and \(figures.incidents.count - ReportSummary.listedIncidents) more")
        }
        out += ["", "Tracks"]
        let showCamera = figures.tracksFigures.contains { $0.camera != nil }
        var trackRows = [(showCamera ? ["camera"] : []) + ["track", "faces", "time", "donors", "mean NME", "mean movement",
                                                            "id checks", "min distance", "incidents"]]
        for track in figures.tracksFigures {
            trackRows.append((showCamera ? [track.camera ?? ReportSummary.noCamera] : []) + [
                "\(track.track)", "\(track.faces)", Format.span(track.firstTime, track.lastTime),
                track.donors.isEmpty ? Format.missing : track.donors.joined(separator: ", "),
                Format.nme(track.meanNME), Format.nme(track.meanMovementNME), "\(track.identityChecks)",
                Format.distance(track.minIdentityDistance), "\(track.incidents)",
            ])
        }
        let offset = showCamera ? 1 : 0
        out += table(trackRows, rightAligned: Set([0, 1, 4, 5, 6, 7, 8].map { $0 + offset }))
        return out
    }

    static func cameras(_ cameras: [ReportSummary.CameraFigures]) -> [String] {
        var rows = [["camera", "frames", "faces", "tracks", "mean NME", "mean movement", "mean OKS", "id checks passed",
                     "incidents", "cover frames", "targets"]]
        for camera in cameras {
            let f = camera.figures
            rows.append([camera.camera, "\(f.framesWithFaces)", "\(f.faces)", "\(f.tracks)", Format.nme(f.nme?.mean),
                         Format.nme(f.movementNME?.mean), Format.oks(f.oks?.mean),
                         "\(f.identity.passed)/\(f.identity.checks)", "\(f.incidents.count)",
                         "\(f.framesWithFallbackCover)", targetsCell(f.targets)])
        }
        return ["Cameras"] + table(rows, rightAligned: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    static func targetsCell(_ targets: [TargetCheck]) -> String {
        let notMet = targets.filter { $0.verdict == .notMet }.count
        return notMet == 0 ? "ok" : "\(notMet) NOT MET"
    }

    static func verdictLine(_ targets: [TargetCheck]) -> String {
        let notMet = targets.filter { $0.verdict == .notMet }.map(\.figure)
        let unmeasured = targets.filter { $0.verdict == .notMeasured }.map(\.figure)
        var line = notMet.isEmpty ? (unmeasured.isEmpty ? "Targets: all met" : "Targets: none missed")
                                  : "Targets: NOT MET: " + notMet.joined(separator: "; ")
        if !unmeasured.isEmpty { line += "; not measured: " + unmeasured.joined(separator: "; ") }
        return line
    }

    private static func distributionRow(_ name: String, _ d: Distribution?, _ format: (Double?) -> String) -> [String] {
        [name, "\(d?.count ?? 0)", format(d?.mean), format(d?.p50), format(d?.p95), format(d?.max)]
    }

    /// Columns padded to their widest cell, indented under their heading.
    private static func table(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            let cells = row.enumerated().map { c, cell in
                let padding = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? padding + cell : cell + padding
            }
            return "  " + String(cells.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed())
        }
    }
}

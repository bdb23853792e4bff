import Foundation
import VeilCore

/// `veil report OUTDIR`: one self-contained HTML page over a whole archive, from its merged manifest:
/// every input with its outcome and figures, the ones that need a person's attention first (failed,
/// changed since written, never finished, then incidents, then the closest identity distance).
public enum ArchiveReport {
    public static func render(_ ledger: ArchiveLedger, outputDirectory: String, identityMargin: Double) -> String {
        let figures = ledger.entries.compactMap { $0.record?.figures }
        let frames = figures.map(\.frames).reduce(0, +), faces = figures.map(\.faces).reduce(0, +)
        let incidents = figures.map(\.incidents).reduce(0, +)
        let closest = figures.compactMap(\.identityDistanceMin).min()
        var body = ["<h1>Archive de-identification report</h1>",
                    "<p>From the manifest of <code>\(HTML.escape(outputDirectory))</code>, every output hashed again now. "
                    + "It holds figures only: no images.</p>",
                    "<p class=\"\(ledger.isComplete ? "info" : "warning")\">\(HTML.escape(ledger.summary))"
                    + (ledger.missingShards.isEmpty ? "" : "; shards that never ran: \(HTML.escape(ledger.missingShards.joined(separator: ", ")))")
                    + ".</p>",
                    "<p>\(Format.plural(frames, "frame")) and \(Format.plural(faces, "face")) processed; "
                    + "\(Format.plural(incidents, "incident")); closest identity distance \(Format.distance(closest)) "
                    + "(the margin is \(String(format: "%.2f", identityMargin))).</p>",
                    "<table>",
                    HTMLReport.row(["Input", "Outcome", "Frames", "Faces", "Covered", "Identity distance, least", "Movement error",
                                    "Incidents", "Seconds", "Why"], header: true)]
        for entry in ordered(ledger.entries) { body.append(row(entry, margin: identityMargin)) }
        body.append("</table>")
        return HTML.page(title: "Veil archive report: \((outputDirectory as NSString).lastPathComponent)", style: HTMLReport.style, body: body)
    }

    private static func row(_ entry: ArchiveLedger.Entry, margin: Double) -> String {
        var cells = [entry.key, entry.status.rawValue]
        var attention = entry.status != .verified
        if let f = entry.record?.figures {
            cells += ["\(f.frames)", "\(f.faces)", String(format: "%.1f%%", 100 * f.coveredShare), Format.distance(f.identityDistanceMin),
                      Format.nme(f.movementError), "\(f.incidents)", String(format: "%.1f", f.seconds)]
            attention = attention || f.incidents > 0 || (f.identityDistanceMin ?? margin) < margin
        } else {
            cells += Array(repeating: "", count: 7)
        }
        cells.append(entry.record?.reason ?? "")
        let tds = cells.map { "<td>\(HTML.escape($0))</td>" }.joined()
        return "<tr class=\"\(attention ? "bad" : "")\">\(tds)</tr>"
    }

    /// What needs attention first: a file not verified, then one with incidents (most first), then by
    /// the closest identity distance, then by name.
    static func ordered(_ entries: [ArchiveLedger.Entry]) -> [ArchiveLedger.Entry] {
        entries.sorted { a, b in
            let keyA = (a.status == .verified ? 1 : 0, -(a.record?.figures?.incidents ?? 0), a.record?.figures?.identityDistanceMin ?? .infinity)
            let keyB = (b.status == .verified ? 1 : 0, -(b.record?.figures?.incidents ?? 0), b.record?.figures?.identityDistanceMin ?? .infinity)
            if keyA != keyB { return keyA < keyB }
            return a.key < b.key
        }
    }
}

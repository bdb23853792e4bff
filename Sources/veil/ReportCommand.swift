import ArgumentParser
import Foundation
import VeilArchive
import VeilCore
import VeilMedia
import VeilReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarize a stability log, or a whole archive: keypoints kept, identities removed, incidents, against the goals.",
        discussion: "Reads the JSON Lines log of `veil process --stability-log` or of the daemon; a log cut off by a crash "
            + "still reports what it holds and says the summary record is missing. Given the OUTDIR of an archive run, "
            + "writes one HTML page over every file of it (default OUTDIR/.veil/report.html), the files that need attention first.")

    @Argument(help: "The stability log (JSON Lines), or an archive's OUTDIR.")
    var log: String

    @Option(help: "Also write a self-contained HTML page with charts over time here (for an archive: the report's place).")
    var html: String?

    @Option(name: .customLong("identity-margin"), help: "Face-descriptor distance a check must reach to pass (as given to the run).")
    var identityMargin = ReportSummary.defaultIdentityMargin

    func validate() throws {
        guard (IdentityThresholds.lowestMargin...2).contains(identityMargin) else {
            throw ValidationError("--identity-margin must be between \(IdentityThresholds.lowestMargin) and 2")
        }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: log, isDirectory: &isDirectory), isDirectory.boolValue { return try archive() }
        try runReportingErrors {
            let report = ReportSummary(log: try StabilityLogFile.read(path: log), identityMargin: identityMargin)
            if let html { try HTMLReport.write(HTMLReport.render(report), to: html) }
            print(TerminalReport.render(report), terminator: "")
        }
    }

    private func archive() throws {
        try runReportingErrors {
            let lines = ArchiveManifest.readAll(outputDirectory: log)
            guard !lines.isEmpty else {
                throw UserError("'\(log)' holds no manifest (\(ArchiveLayout.stateFolder)/shard-*.jsonl): not the output of an archive run")
            }
            let ledger = ArchiveLedger(lines: lines) { try? FileDigest.sha256(path: (log as NSString).appendingPathComponent($0)) }
            let page = html ?? (log as NSString).appendingPathComponent("\(ArchiveLayout.stateFolder)/report.html")
            try HTMLReport.write(ArchiveReport.render(ledger, outputDirectory: log, identityMargin: identityMargin), to: page)
            print("veil report: \(ledger.summary); report \(page)")
        }
    }
}

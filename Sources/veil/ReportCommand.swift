import ArgumentParser
import VeilCore
import VeilReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarize a stability log: keypoints kept, identities removed, incidents, against the goals.",
        discussion: "Reads the JSON Lines log of `veil process --stability-log` or of the daemon; a log cut off by a crash "
            + "still reports what it holds and says the summary record is missing.")

    @Argument(help: "The stability log (JSON Lines).")
    var log: String

    @Option(help: "Also write a self-contained HTML page with charts over time here.")
    var html: String?

    @Option(name: .customLong("identity-margin"), help: "Face-descriptor distance a check must reach to pass (as given to the run).")
    var identityMargin = ReportSummary.defaultIdentityMargin

    func validate() throws {
        guard (IdentityThresholds.lowestMargin...2).contains(identityMargin) else {
            throw ValidationError("--identity-margin must be between \(IdentityThresholds.lowestMargin) and 2")
        }
    }

    func run() throws {
        try runReportingErrors {
            let report = ReportSummary(log: try StabilityLogFile.read(path: log), identityMargin: identityMargin)
            if let html { try HTMLReport.write(HTMLReport.render(report), to: html) }
            print(TerminalReport.render(report), terminator: "")
        }
    }
}

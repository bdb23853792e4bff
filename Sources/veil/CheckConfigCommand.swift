import ArgumentParser
import VeilConfig

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a daemon config file as `veil run` would, and print what it would run.",
        discussion: "Exits non-zero with one line, FILE: KEY.PATH: problem, at the first problem found.")

    @Argument(help: "The config file (the service's is \(VeilConfiguration.defaultPath)).")
    var file: String

    @Flag(help: "Print nothing when the file is fine (for ExecReload= and scripts).")
    var quiet = false

    func run() throws {
        let configuration = try runReportingErrors { try VeilConfiguration.load(path: file) }
        guard !quiet else { return }
        print("\(file): OK")
        print(configuration.summary)
    }
}

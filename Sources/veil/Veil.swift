import VeilCore
import ArgumentParser
import CProcess
import Foundation
import VeilMedia

@main
struct Veil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veil",
        abstract: "De-identifies faces in clinical video while keeping facial and body keypoints.",
        version: VeilVersion.current,
        subcommands: [ProcessCommand.self, ManifestCommand.self, RunCommand.self, JanusConfigCommand.self, BenchCommand.self, ReportCommand.self, EnrollCommand.self, DonorsCommand.self, DevicesCommand.self,
                      CheckConfigCommand.self])

    /// Usage errors get one line (what is wrong and where), like every other error, instead of
    /// ArgumentParser's line plus usage block; help still prints in full.
    static func main() async {
        // Before any frame is read: a crash must not write camera pictures to disk.
        guard veil_forbid_core_dumps() == 0 else {
            FileHandle.standardError.write(Data("veil: error: cannot turn core dumps off: \(errnoText(errno))\n".utf8))
            Foundation.exit(1)
        }
        LibraryLog.quiet()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("veil: error: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

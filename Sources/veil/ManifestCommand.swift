import ArgumentParser
import Foundation
import VeilArchive
import VeilCore
import VeilMedia

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Verify an archive: merge its shards' manifests, hash every output again, one line per input.",
        discussion: "Exits 0 only when every input is done and its output has the bytes recorded when it was written; "
            + "an output edited or removed since, an input that failed, one never finished and a shard that never ran are named.")

    @Argument(help: "The OUTDIR of `veil process DIR... -o OUTDIR`.")
    var outputDirectory: String

    @Flag(help: "Print one JSON document (files, done, failed, missing, verified, ...) instead of lines.")
    var json = false

    func run() throws {
        let lines = ArchiveManifest.readAll(outputDirectory: outputDirectory)
        guard !lines.isEmpty else {
            FileHandle.standardError.write(Data("veil: error: '\(outputDirectory)' holds no manifest (\(ArchiveLayout.stateFolder)/shard-*.jsonl): not the output of an archive run\n".utf8))
            throw ExitCode.failure
        }
        let ledger = ArchiveLedger(lines: lines) { output in
            try? FileDigest.sha256(path: (outputDirectory as NSString).appendingPathComponent(output))
        }
        if json {
            print(ArchiveSchema.line(ManifestDocument(ledger)))
        } else {
            for entry in ledger.entries { print(Self.line(entry)) }
            for shard in ledger.missingShards { print("missing   shard \(shard): never ran") }
            print("veil manifest: \(ledger.summary)"
                  + (ledger.count(.modified) + ledger.count(.outputMissing) > 0
                     ? ", \(ledger.count(.modified) + ledger.count(.outputMissing)) outputs changed or gone since" : ""))
        }
        if !ledger.isComplete { throw ExitCode.failure }
    }

    private static func line(_ entry: ArchiveLedger.Entry) -> String {
        let output = entry.record?.output ?? ""
        let status = entry.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
        switch entry.status {
        case .verified: return "\(status) \(entry.key) → \(output)"
        case .modified: return "\(status) \(entry.key) → \(output): its bytes differ from those written (SHA-256 changed)"
        case .outputMissing: return "\(status) \(entry.key) → \(output): the output is gone"
        case .failed, .retry: return "\(status) \(entry.key): \(entry.record?.reason ?? "no reason recorded")"
        case .missing: return "\(status) \(entry.key): never finished"
        }
    }
}

/// `veil manifest --json`.
private struct ManifestDocument: Encodable {
    struct File: Encodable {
        let key: String
        let input: String?
        let output: String?
        let status: String
        let reason: String?
        let inputSHA256: String?
        let outputSHA256: String?
        let figures: ArchiveFigures?

        enum CodingKeys: String, CodingKey {
            case key, input, output, status, reason, figures
            case inputSHA256 = "input_sha256"
            case outputSHA256 = "output_sha256"
        }
    }

    let files: [File]
    let total: Int
    let done: Int
    let verified: Int
    let failed: Int
    let missing: Int
    let modified: Int
    let missingShards: [String]
    let complete: Bool

    init(_ ledger: ArchiveLedger) {
        files = ledger.entries.map {
            File(key: $0.key, input: $0.record?.input, output: $0.record?.output, status: $0.status.rawValue, reason: $0.record?.reason,
                 inputSHA256: $0.record?.inputSHA256, outputSHA256: $0.record?.outputSHA256, figures: $0.record?.figures)
        }
        total = ledger.files
        done = ledger.done
        verified = ledger.count(.verified)
        failed = ledger.failed
        missing = ledger.missing
        modified = ledger.count(.modified) + ledger.count(.outputMissing)
        missingShards = ledger.missingShards
        complete = ledger.isComplete
    }

    enum CodingKeys: String, CodingKey {
        case files, total, done, verified, failed, missing, modified, complete
        case missingShards = "missing_shards"
    }
}

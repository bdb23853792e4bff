import Foundation
import VeilCore

/// How `--rename` names outputs.
public enum RenameMode: String, CaseIterable, Sendable {
    /// The input's path and name below the archive's root.
    case keep
    /// The input's SHA-256, flat in OUTDIR: no patient name or folder in the shared tree; the mapping
    /// is only in the manifest.
    case hash
}

/// Where an archive's outputs and state go under OUTDIR.
public enum ArchiveLayout {
    /// The containers Veil writes.
    public static let containers = ["mp4", "mkv", "mov"]
    /// The manifest and locks; never part of the mirrored tree.
    public static let stateFolder = ".veil"

    /// The output's path relative to OUTDIR. The extension is `format`'s, else the input's when Veil
    /// writes that container, else mkv (which holds any codec an input brings).
    public static func output(for input: ArchiveInput, inputSHA256: String, format: String?, rename: RenameMode) -> String {
        let name = (input.key as NSString).lastPathComponent
        let inputExtension = (name as NSString).pathExtension
        let ext = format ?? (containers.contains(inputExtension.lowercased()) ? inputExtension : "mkv")
        switch rename {
        case .hash:
            return "\(inputSHA256).\(ext)"
        case .keep:
            let stem = inputExtension.isEmpty ? input.key : String(input.key.dropLast(inputExtension.count + 1))
            return "\(stem).\(ext)"
        }
    }

    /// Temporary files a killed writer of `path` left (AtomicFile's names, of any process).
    public static func leftovers(of path: String) -> [String] {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let ext = (name as NSString).pathExtension
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return names.filter { $0.hasPrefix(".\(stem).partial-") && (ext.isEmpty || $0.hasSuffix(".\(ext)")) }
            .map { (folder as NSString).appendingPathComponent($0) }
    }
}

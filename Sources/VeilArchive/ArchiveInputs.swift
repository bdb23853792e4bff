import Foundation
import VeilCore

/// One input of an archive run.
public struct ArchiveInput: Equatable, Sendable {
    /// Where it is read from.
    public let path: String
    /// Its path below the archive's root: names it in the manifest, picks its shard and its output's
    /// place under OUTDIR.
    public let key: String

    public init(path: String, key: String) {
        self.path = path
        self.key = key
    }
}

/// The inputs of `veil process DIR|FILE... -o OUTDIR`: every video file below each directory
/// (recursively; hidden files and folders left out) and every file named. The archive's root is the
/// deepest folder that holds them all, a named directory counting as itself and a named file as its
/// folder: one directory mirrors its own tree, several directories keep their names, files keep
/// theirs. Sorted by key.
public enum ArchiveInputs {
    /// What a directory walk takes as video (named files are taken whatever their extension).
    public static let videoExtensions: Set<String> = ["mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "mts", "m2ts",
                                                      "ts", "wmv", "flv", "3gp", "mxf", "ogv", "dv", "y4m"]

    /// `excluding`: a folder never walked into (OUTDIR, when it lies inside an input directory).
    public static func list(_ roots: [String], excluding outputDirectory: String) throws(UserError) -> [ArchiveInput] {
        guard !roots.isEmpty else { throw UserError("no input given: name files or directories, or give --list FILE") }
        let excluded = absolute(outputDirectory)
        var files: [String] = []
        var bases: [String] = []
        for root in roots {
            let path = absolute(root)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UserError("input '\(root)': No such file or directory")
            }
            if isDirectory.boolValue {
                bases.append(path)
                files += try walk(path, excluding: excluded, shown: root)
            } else {
                bases.append((path as NSString).deletingLastPathComponent)
                files.append(path)
            }
        }
        let base = commonFolder(bases)
        var seen = Set<String>()
        let inputs = files.filter { seen.insert($0).inserted }.map { file in
            ArchiveInput(path: file, key: String(file.dropFirst(base == "/" ? 1 : base.count + 1)))
        }
        guard !inputs.isEmpty else { throw UserError("no video file found in \(roots.map { "'\($0)'" }.joined(separator: ", "))") }
        return inputs.sorted { $0.key < $1.key }
    }

    /// The paths of a `--list` file: one a line; blank lines and lines starting with '#' left out;
    /// relative paths taken from the current directory, as on the command line.
    public static func readList(_ path: String) throws(UserError) -> [String] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw UserError("--list '\(path)': \(FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "No such file or directory")")
        }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    private static func walk(_ directory: String, excluding excluded: String, shown: String) throws(UserError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw UserError("input directory '\(shown)': cannot be read")
        }
        var files: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = directory == "/" ? "/" + name : directory + "/" + name
            guard path != excluded else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                files += try walk(path, excluding: excluded, shown: shown + "/" + name)
            } else if videoExtensions.contains((name as NSString).pathExtension.lowercased()) {
                files.append(path)
            }
        }
        return files
    }

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (full as NSString).standardizingPath
    }

    /// The deepest folder that every one of `folders` is in or is.
    static func commonFolder(_ folders: [String]) -> String {
        guard var common = folders.first?.split(separator: "/").map(String.init) else { return "/" }
        for folder in folders.dropFirst() {
            let parts = folder.split(separator: "/").map(String.init)
            common = Array(zip(common, parts).prefix { $0 == $1 }.map(\.0))
        }
        return "/" + common.joined(separator: "/")
    }
}

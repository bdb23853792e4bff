import Foundation
import Glibc
import VeilCore

/// A camera's segments in a recording directory: their names (`<camera>-<UTC start>.<ext>`, with
/// `-1`, `-2`... when a start second is taken) and the retention that keeps their total under a limit.
struct RecordingDirectory {
    let path: String
    let camera: String
    let maxTotalBytes: Int64?

    static let extensions: Set<String> = ["mkv", "mp4"]

    /// e.g. "exam-room-1-20261123T110500Z.mkv"; `attempt` > 0 adds "-<attempt>".
    func segmentName(startingAt time: time_t, container: RecordingContainer, attempt: Int) -> String {
        var t = time
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y%m%dT%H%M%SZ", &parts)
        let suffix = attempt > 0 ? "-\(attempt)" : ""
        return "\(camera)-\(String(cString: buffer))\(suffix).\(container.rawValue)"
    }

    /// This camera's segments, oldest first, with their sizes. Other cameras' files (even ones whose
    /// names start with this camera's name) and anything else in the directory are left out.
    func segments() -> [(name: String, bytes: Int64)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.compactMap { name -> (key: SortKey, name: String, bytes: Int64)? in
            guard let key = sortKey(of: name) else { return nil }
            var info = stat()
            guard lstat("\(path)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            return (key, name, Int64(info.st_size))
        }
        .sorted { $0.key < $1.key }
        .map { ($0.name, $0.bytes) }
    }

    /// Deletes this camera's oldest segments while their total is over the limit, never `current`
    /// (the segment being written). Returns the names deleted.
    func enforceRetention(keeping current: String?) -> [String] {
        guard let limit = maxTotalBytes else { return [] }
        let all = segments()
        var total = all.reduce(0) { $0 + $1.bytes }
        var deleted: [String] = []
        for segment in all where total > limit && segment.name != current {
            guard unlink("\(path)/\(segment.name)") == 0 else { continue }
            total -= segment.bytes
            deleted.append(segment.name)
        }
        return deleted
    }

    private struct SortKey: Comparable {
        let stamp: String
        let attempt: Int
        static func < (a: SortKey, b: SortKey) -> Bool { (a.stamp, a.attempt) < (b.stamp, b.attempt) }
    }

    /// "<camera>-YYYYMMDDTHHMMSSZ[-N].(mkv|mp4)" → its start and attempt; nil for other names.
    private func sortKey(of name: String) -> SortKey? {
        guard name.hasPrefix(camera + "-"), let dot = name.lastIndex(of: "."),
              RecordingDirectory.extensions.contains(String(name[name.index(after: dot)...])) else { return nil }
        let rest = name[name.index(name.startIndex, offsetBy: camera.count + 1)..<dot]
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let stamp = parts.first, RecordingDirectory.isStamp(stamp) else { return nil }
        var attempt = 0
        if parts.count == 2 {
            guard let n = Int(parts[1]), n > 0 else { return nil }
            attempt = n
        }
        return SortKey(stamp: String(stamp), attempt: attempt)
    }

    private static func isStamp(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return false }
        return (bytes[0..<8] + bytes[9..<15]).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

import Foundation
import VeilVision
import VeilCore

/// The stability log: JSON Lines, one record per face per frame, then one summary record. It proves
/// both sides of the job per frame: the keypoints were kept (landmark error between the subject and
/// the output, absolute and after the track's fixed shape offset) and the identity was not (descriptor
/// distance on checked frames, incidents). It never holds pixels. Like the video, it is written under
/// a temporary name and renamed by finish(): a failed run leaves no half log.
public final class StabilityLog {
    private let handle: FileHandle?
    private let path: String?
    /// Where the log is written until finish() renames it.
    public let temporaryPath: String?
    private var residuals: [Int: [[Point]]] = [:]
    private var errors: [Float] = []
    private var similarities: [Float] = []
    private var faces = 0
    private var coveredFrames = 0
    private var frames = 0
    private var identityDistances: [Float] = []
    private var incidents = 0
    private var handlings: [String: Int] = [:]

    /// path nil: figures are gathered for the summary, nothing is written.
    public init(path: String?) throws {
        self.path = path
        guard let path else { handle = nil; temporaryPath = nil; return }
        let temporary = AtomicFile.temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CommandError("cannot write stability log '\(path)': \(errnoText(errno))")
        }
        self.handle = handle
        temporaryPath = temporary
    }

    deinit {
        if let temporaryPath, FileManager.default.fileExists(atPath: temporaryPath) { unlink(temporaryPath) }
    }

    public func record(frame: Int, pts: Int64, seconds: Double, faces records: [FaceRecord]) {
        frames += 1
        if records.contains(where: { $0.handling == .covered }) { coveredFrames += 1 }
        var lines = ""
        for r in records {
            faces += 1
            handlings[r.handling.rawValue, default: 0] += 1
            if let e = r.error { errors.append(e) }
            if let oks = r.oks { similarities.append(oks) }
            if let residual = r.residual { residuals[r.track, default: []].append(residual) }
            if let d = r.identityDistance { identityDistances.append(d) }
            if r.incident != nil { incidents += 1 }
            lines += json([("pts", pts)] + r.logFields(frame: frame, time: seconds)) + "\n"
        }
        if let handle, !lines.isEmpty { handle.write(Data(lines.utf8)) }
    }

    /// Writes the summary record, closes the log and gives it its name; returns the summary's fields.
    @discardableResult
    public func finish() throws -> [(String, Any)] {
        var dynamic: [Float] = []
        for (_, list) in residuals where list.count >= 2 {
            var mean = [Point](repeating: .zero, count: list[0].count)
            for r in list { for i in r.indices { mean[i] += r[i] } }
            for i in mean.indices { mean[i] /= Float(list.count) }
            for r in list {
                var sum: Float = 0
                for i in r.indices { sum += distance(r[i], mean[i]) }
                dynamic.append(sum / Float(r.count))
            }
        }
        let summary: [(String, Any)] = [
            ("summary", true), ("frames", frames), ("faces", faces), ("tracks", residuals.count),
            ("handling", handlings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")),
            ("nme_mean", round4(mean(errors))), ("nme_p95", round4(percentile(errors, 0.95))),
            ("nme_dynamic_mean", round4(mean(dynamic))), ("nme_dynamic_p95", round4(percentile(dynamic, 0.95))),
            ("oks_mean", round4(mean(similarities))),
            ("frames_with_fallback_cover", coveredFrames),
            ("identity_checks", identityDistances.count), ("identity_incidents", incidents),
            ("identity_distance_min", round4(identityDistances.min() ?? .nan)),
            ("identity_distance_mean", round4(mean(identityDistances))),
        ]
        if let handle, let path, let temporaryPath {
            handle.write(Data((json(summary) + "\n").utf8))
            try? handle.close()
            do {
                try AtomicFile.commit(temporaryPath, to: path)
            } catch {
                throw CommandError("cannot write stability log '\(path)': \(error.reason)")
            }
        }
        return summary
    }

    private func mean(_ values: [Float]) -> Float { values.isEmpty ? .nan : values.reduce(0, +) / Float(values.count) }

    private func percentile(_ values: [Float], _ p: Float) -> Float {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Float(sorted.count - 1) * p).rounded()))]
    }

}

extension FaceRecord {
    /// The face's fields in a stability log line; `camera` names it in the daemon's shared log.
    func logFields(frame: Int, time: Double, camera: String? = nil) -> [(String, Any)] {
        var fields: [(String, Any)] = [("frame", frame), ("time", round3(time)), ("track", track), ("handling", handling.rawValue)]
        if let camera { fields.append(("camera", camera)) }
        if let donor { fields.append(("donor", donor)); fields.append(("shape_replaced", shapeReplaced)) }
        if let consentedAs { fields.append(("consented_as", consentedAs)) }
        if let error { fields.append(("nme", round4(error))) }
        if let dynamicError { fields.append(("nme_dynamic", round4(dynamicError))) }
        if let oks { fields.append(("oks", round4(oks))) }
        if let jitterInput, let jitterOutput {
            fields.append(("jitter_input", round4(jitterInput)))
            fields.append(("jitter_output", round4(jitterOutput)))
        }
        if let identityDistance { fields.append(("identity_distance", round4(identityDistance))) }
        if let incident { fields.append(("incident", incident)) }
        return fields
    }
}

func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
func round4(_ v: Float) -> Double { round4(Double(v)) }
func round4(_ v: Double) -> Double { (v * 10000).rounded() / 10000 }

/// One JSON object (keys sorted, so records diff cleanly); non-finite numbers become null.
func json(_ fields: [(String, Any)]) -> String {
    var object: [String: Any] = [:]
    for (key, value) in fields {
        if let d = value as? Double, !d.isFinite { object[key] = NSNull() } else { object[key] = value }
    }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}

/// An error for the user: one line, printed as it is.
public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

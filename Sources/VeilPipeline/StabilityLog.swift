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
            throw UserError("cannot write stability log '\(path)': \(errnoText(errno))")
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
            var line = r.stabilityRecord(frame: frame, time: seconds)
            line.pts = pts
            lines += StabilitySchema.line(line) + "\n"
        }
        if let handle, !lines.isEmpty { handle.write(Data(lines.utf8)) }
    }

    /// Writes the summary record, closes the log and gives it its name; returns the summary.
    @discardableResult
    public func finish() throws -> StabilitySummaryRecord {
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
        var summary = StabilitySummaryRecord(summary: true)
        summary.frames = frames
        summary.faces = faces
        summary.tracks = residuals.count
        summary.handling = handlings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        summary.nmeMean = StabilitySchema.figure(mean(errors))
        summary.nmeP95 = StabilitySchema.figure(percentile(errors, 0.95))
        summary.nmeDynamicMean = StabilitySchema.figure(mean(dynamic))
        summary.nmeDynamicP95 = StabilitySchema.figure(percentile(dynamic, 0.95))
        summary.oksMean = StabilitySchema.figure(mean(similarities))
        summary.framesWithFallbackCover = coveredFrames
        summary.identityChecks = identityDistances.count
        summary.identityIncidents = incidents
        summary.identityDistanceMin = StabilitySchema.figure(identityDistances.min())
        summary.identityDistanceMean = StabilitySchema.figure(mean(identityDistances))
        if let handle, let path, let temporaryPath {
            handle.write(Data((StabilitySchema.line(summary) + "\n").utf8))
            try? handle.close()
            do {
                try AtomicFile.commit(temporaryPath, to: path)
            } catch {
                throw UserError("cannot write stability log '\(path)': \(error.reason)")
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
    /// The face as a stability log line; `camera` names it in the daemon's shared log.
    func stabilityRecord(frame: Int, time: Double, camera: String? = nil) -> StabilityRecord {
        var record = StabilityRecord(frame: frame, time: StabilitySchema.seconds(time), track: track, handling: handling.rawValue)
        record.camera = camera
        if let donor {
            record.donor = donor
            record.shapeReplaced = shapeReplaced
        }
        record.standIn = standIn
        record.consentedAs = consentedAs
        record.nme = StabilitySchema.figure(error)
        record.nmeDynamic = StabilitySchema.figure(dynamicError)
        record.oks = StabilitySchema.figure(oks)
        if let jitterInput, let jitterOutput {
            record.jitterInput = StabilitySchema.figure(jitterInput)
            record.jitterOutput = StabilitySchema.figure(jitterOutput)
        }
        record.identityDistance = StabilitySchema.figure(identityDistance)
        record.incident = incident
        return record
    }
}


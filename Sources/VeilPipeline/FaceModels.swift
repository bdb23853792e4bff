import Foundation
import Logging
import VeilAnonymize
import VeilCore
import VeilMedia
import VeilVision

/// The one place models and donors are loaded from the data directory: `veil process`, each camera
/// and `veil enroll` take theirs from here.
public struct FaceModels {
    public let data: DataDirectory
    public let predictor: LandmarkPredictor
    /// The identity descriptor: loaded when faces are swapped (the margin is checked) or consent is
    /// given (faces are recognised); nil otherwise.
    public let encoder: FaceEncoder?
    /// Swap mode's donors; empty otherwise.
    public let donors: [Donor]
    /// The SHA-256 of each donor's image file, by file name: what an archive's run record names.
    public let donorDigests: [String: String]

    /// What `settings` needs. `donors`: a directory or image of the user's; nil: the installed default donors.
    public init(for settings: AnonymizerSettings, data: DataDirectory, donors donorPath: String?, logger: Logger? = nil) throws {
        try self.init(data: data, descriptor: settings.mode == .swap || settings.consent != nil,
                      donors: settings.mode == .swap ? donorPath ?? data.donorDirectory.path : nil)
        if !donors.isEmpty { logger?.info("donors: \(donors.map(\.name).joined(separator: ", "))") }
    }

    /// The landmarks always; the descriptor when asked (or when there are donors to describe); the donors at `donors`.
    /// `checkSeparation`: refuse donors closer than `IdentityThresholds.donorSeparation` (off only to list them).
    public init(data: DataDirectory, descriptor: Bool, donors donorPath: String?, checkSeparation: Bool = true) throws {
        self.data = data
        let predictor = try LandmarkPredictor(modelPath: data.landmarkModel)
        self.predictor = predictor
        encoder = descriptor || donorPath != nil ? try FaceEncoder(modelPath: data.descriptorModel) : nil
        if let donorPath, let encoder {
            let files = try Self.donorFiles(at: donorPath)
            donors = try files.map { try Self.loadDonor(path: $0, data: data, predictor: predictor, encoder: encoder) }
            var digests: [String: String] = [:]
            for file in files {
                do { digests[(file as NSString).lastPathComponent] = try FileDigest.sha256(path: file) } catch {
                    throw UserError("donor image \(error)")
                }
            }
            donorDigests = digests
            if checkSeparation { try Self.checkSeparation(donors) }
        } else {
            donors = []
            donorDigests = [:]
        }
    }

    /// The face detector for pictures of one size; `inputWidth` per FaceSizePromise.
    public func detector(width: Int, height: Int, inputWidth: Int, threads: Int = FaceDetector.pipelineThreads) throws -> FaceDetector {
        try FaceDetector(modelPath: data.detectorModel, pictureWidth: width, pictureHeight: height, inputWidth: inputWidth, threads: threads)
    }

    /// Another landmark predictor, for a thread of its own (a predictor is not shared between threads).
    public func anotherPredictor() throws -> LandmarkPredictor {
        try LandmarkPredictor(modelPath: data.landmarkModel)
    }

    /// Loads one image, or every .png/.jpg/.jpeg in a directory (sorted by name).
    public static func loadDonors(at path: String, data: DataDirectory, predictor: LandmarkPredictor, encoder: FaceEncoder) throws -> [Donor] {
        try donorFiles(at: path).map { try loadDonor(path: $0, data: data, predictor: predictor, encoder: encoder) }
    }

    /// `path` itself, or every .png/.jpg/.jpeg in it when it is a directory (sorted by name).
    static func donorFiles(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw UserError("donor '\(path)': No such file or directory")
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted().map { (path as NSString).appendingPathComponent($0) }
            guard !files.isEmpty else { throw UserError("donor directory '\(path)' holds no .png or .jpg image") }
        }
        return files
    }

    /// Loads a donor image: exactly the largest face in it is used. An image without a usable face is
    /// refused, naming the file.
    public static func loadDonor(path: String, data: DataDirectory, predictor: LandmarkPredictor, encoder: FaceEncoder) throws -> Donor {
        let picture: Picture
        do { picture = try ImageFile.load(path: path) } catch { throw UserError("donor image \(error)") }
        let detector = try FaceDetector(modelPath: data.detectorModel, pictureWidth: picture.width, pictureHeight: picture.height,
                                        inputWidth: min(640, picture.width))
        let name = URL(fileURLWithPath: path).lastPathComponent
        do {
            guard let donor = try describeDonor(picture, name: name, detector: detector, predictor: predictor, encoder: encoder) else {
                throw UserError("donor image '\(path)' has no detectable face")
            }
            return donor
        } catch DonorFaceUnusable.tooSmallOrTurned {
            throw UserError("donor image '\(path)': its face is too small or turned away (needs a frontal face at least 64 px wide)")
        }
    }

    /// The largest face in `picture` as a donor: nil when there is none; throws `DonorFaceUnusable` when
    /// it is too small or turned to swap from.
    static func describeDonor(_ picture: Picture, name: String, detector: FaceDetector, predictor: LandmarkPredictor,
                              encoder: FaceEncoder) throws -> Donor? {
        guard let face = try detector.detect(picture).filter({ $0.score >= 0.5 }).max(by: { $0.box.area < $1.box.area }) else {
            return nil
        }
        guard face.box.width >= 64, let shape = predictor.landmarks(in: picture.y, detection: face), shape.yawRatio < 2 else {
            throw DonorFaceUnusable.tooSmallOrTurned
        }
        return Donor(name: name, picture: picture, shape: shape, descriptor: try encoder.describe(picture, face: shape))
    }

    enum DonorFaceUnusable: Error { case tooSmallOrTurned }

    /// Refuses donors closer to each other than `IdentityThresholds.donorSeparation`, naming the closest
    /// such pair.
    public static func checkSeparation(_ donors: [Donor]) throws {
        let limit = Float(IdentityThresholds.donorSeparation)
        guard let pair = DonorAssignment.closestPair(donors.map(\.descriptor)), pair.distance < limit else { return }
        throw UserError("donors '\(donors[pair.a].name)' and '\(donors[pair.b].name)' are \(String(format: "%.2f", pair.distance)) apart, "
                        + "under \(String(format: "%.2f", limit)): two people could be given faces that look alike; remove one")
    }

    /// One line per donor: its name, the distance to the nearest other donor and, given the real faces the
    /// donors were made from, to the nearest of those.
    public static func separationReport(_ donors: [Donor], sources: [Donor] = []) -> [String] {
        func nearest(_ donor: Donor, among others: [Donor]) -> (Donor, Float)? {
            others.filter { $0 !== donor }.map { ($0, donor.descriptor.distance(to: $0.descriptor)) }.min { $0.1 < $1.1 }
        }
        return donors.map { donor in
            var line = "\(donor.name): "
            if let (other, distance) = nearest(donor, among: donors) {
                line += "nearest donor \(other.name) at \(String(format: "%.3f", distance))"
            } else {
                line += "the only donor"
            }
            if let (source, distance) = nearest(donor, among: sources) {
                line += ", nearest source face \(source.name) at \(String(format: "%.3f", distance))"
            }
            return line
        }
    }
}

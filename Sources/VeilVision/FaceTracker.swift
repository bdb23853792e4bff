import VeilMedia
import VeilCore

/// How a face was seen in the current frame.
public enum FaceObservation: String, Sendable {
    /// The detector found it and its landmarks are trustworthy.
    case detected
    /// The detector did not run or missed it; landmarks were followed from the last frame.
    case tracked
    /// Only a region is known (the detector found a face whose landmarks are unreliable, or the track
    /// has been lost for longer than landmarks can be trusted): it must be covered whole.
    case regionOnly = "region"
}

/// One face followed across frames.
public struct Track: Sendable {
    public let id: Int
    /// Landmarks as the predictor gave them this frame (the subject's own keypoints), and smoothed.
    public var rawShape: FaceShape?
    public var shape: FaceShape?
    /// Where the face is: the last detection box, or the landmarks' box.
    public var region: Box
    /// The latest detection matched to this face (grown for the motion when it came from a later
    /// frame): a cover spans it and the landmarks' box both, so that landmarks drifting off the face
    /// never uncover it.
    public var detectionBox: Box?
    /// The five keypoints of that detection (`Detection.keypoints`); like the box, from a later frame
    /// after a look-ahead.
    public var detectionKeypoints: [Point]?

    /// Where the face may be: its region and its latest detection box together, the box grown for the
    /// frames since that detection (`FaceTracker.lookAheadGrowth`): a face the detector lost, or whose
    /// frames were covered whole in between, has moved on from where it was last seen.
    public var coveredRegion: Box {
        detectionBox.map { region.union($0.scaled(by: FaceTracker.lookAheadGrowth(framesAhead: framesSinceDetection))) } ?? region
    }
    public var observation: FaceObservation
    /// Frames since the detector last confirmed this face.
    public var framesSinceDetection = 0
    public var framesSeen = 0
    var smoother = LandmarkSmoother()
}

/// Follows faces from frame to frame. The detector finds them; dlib's predictor gives their landmarks
/// and follows them between detections. Fail closed: a face the detector stops seeing keeps its
/// landmarks for `landmarkGrace` frames, then is covered as a region for `regionGrace` more frames
/// before it is forgotten; a face whose landmarks disagree with the detector is covered as a region.
/// Tracks age by the frames that passed, those covered whole or dropped included, so that a track
/// never outlives its grace by frames it did not see.
public final class FaceTracker {
    public static let landmarkGrace = 6
    public static let regionGrace = 30
    /// Frames a track is kept after its last detection.
    public static var longestKept: Int { landmarkGrace + regionGrace }
    /// Faces smaller than this (box width in pixels) are covered as regions: too small for reliable
    /// landmarks, or for a swap that hides them, never too small to hide. An independent recognizer
    /// still matched swaps of 51-65 px faces to their subjects (0.36-0.60) while Veil's own checks read
    /// 0.63-0.70; swaps of 69-99 px faces kept 0.606 and more.
    public var minimumLandmarkFaceWidth: Float = 64
    /// Below this detector score a new face is covered as a region rather than swapped: it may be a
    /// face seen badly (turned, small, blurred, partly hidden) or no face at all; either way covering
    /// it costs little. A known face re-detected weakly keeps its landmarks.
    public var confidentScore: Float = 0.5
    /// Landmarks are followed across at most this many frames at once: over a longer gap (frames
    /// covered whole or dropped) a face moves too far for the last shape to find it again.
    public var largestFollowedGap = 2
    public private(set) var tracks: [Track] = []
    private let predictor: LandmarkPredictor
    private var nextID = 1
    /// How the frame being updated fits its landmarks.
    private var fit = LandmarkFit.mirrored

    public init(predictor: LandmarkPredictor) { self.predictor = predictor }

    /// How much a box from a pass `framesAhead` frames later is grown about its centre to still hold the
    /// face on this frame: a person walking across a 720p picture moves some 10-20 px a frame, about
    /// a sixth of a near face's width.
    public static func lookAheadGrowth(framesAhead: Int) -> Float {
        framesAhead <= 0 ? 1 : Swift.min(1.2 + 0.25 * Float(framesAhead), 2.5)
    }

    /// Advances every track to `picture`. `detections` are the detector's faces on this frame
    /// (`framesAhead` 0), or on a frame that many frames later (a look-ahead). Look-ahead detections
    /// confirm that tracked faces are still there, are checked against their followed landmarks, and
    /// start tracks for faces entering the picture (covered where the pass saw them, grown for the
    /// motion); the landmarks of known faces are followed from this frame's own pixels, since a later
    /// frame's box is off by the motion. `elapsedFrames`: frames since the last update (more than one
    /// after frames that were covered whole or dropped). `fit`: how this frame's landmarks are fitted.
    public func update(_ picture: Picture, detections: [Detection], framesAhead: Int = 0, elapsedFrames: Int = 1,
                       interval: Float, fit: LandmarkFit = .mirrored) {
        self.fit = fit
        let growth = FaceTracker.lookAheadGrowth(framesAhead: framesAhead)
        let elapsed = Swift.max(1, elapsedFrames)
        var unmatched = detections
        for index in tracks.indices {
            var track = tracks[index]
            track.framesSeen += 1
            if let match = bestMatch(for: track, in: unmatched) {
                let detection = unmatched.remove(at: match)
                track.framesSinceDetection = 0
                track.detectionBox = detection.box.scaled(by: growth)
                track.detectionKeypoints = detection.keypoints
                if framesAhead == 0 {
                    observe(&track, picture, detection: detection, interval: interval)
                } else {
                    follow(&track, picture, interval: interval, elapsed: elapsed)
                    // Followed landmarks must still sit on the face the pass found.
                    if let shape = track.rawShape, !FaceTracker.sits(shape, on: track.detectionBox!) {
                        loseLandmarks(&track)
                    }
                }
            } else {
                track.framesSinceDetection += elapsed
                follow(&track, picture, interval: interval, elapsed: elapsed)
            }
            tracks[index] = track
        }
        tracks.removeAll { $0.framesSinceDetection > FaceTracker.longestKept }
        for detection in unmatched {
            let box = detection.box.scaled(by: growth)
            var track = Track(id: nextID, region: box, detectionBox: box, observation: .regionOnly)
            track.detectionKeypoints = detection.keypoints
            nextID += 1
            // A face first seen in a later frame is covered where the detector saw it until its own
            // frame comes: its landmarks fitted from a box off by the motion could miss it.
            if framesAhead == 0 && detection.score >= confidentScore { observe(&track, picture, detection: detection, interval: interval) }
            tracks.append(track)
        }
    }

    /// Starts covered tracks for faces a second opinion found that no track holds: `framesAgo` frames
    /// before the next update (their boxes are grown for the motion since), covered until the detector
    /// confirms them or their grace ends. Returns the new tracks' ids.
    public func addMissed(_ boxes: [Box], framesAgo: Int) -> [Int] {
        let growth = FaceTracker.lookAheadGrowth(framesAhead: framesAgo + 1)
        return boxes.map { box in
            let grown = box.scaled(by: growth)
            let track = Track(id: nextID, region: grown, detectionBox: grown, observation: .regionOnly)
            nextID += 1
            tracks.append(track)
            return track.id
        }
    }

    private func bestMatch(for track: Track, in detections: [Detection]) -> Int? {
        var best: (index: Int, iou: Float)?
        for (i, d) in detections.enumerated() {
            let iou = d.box.intersectionOverUnion(track.region)
            if iou > 0.25, iou > (best?.iou ?? 0) { best = (i, iou) }
        }
        return best?.index
    }

    private func observe(_ track: inout Track, _ picture: Picture, detection: Detection, interval: Float) {
        track.region = detection.box
        // A face cut by the picture's edge is fitted from its whole size.
        let face = detection.wholeFaceBox(pictureWidth: picture.width, pictureHeight: picture.height)
        guard face.width >= minimumLandmarkFaceWidth,
              let shape = predictor.landmarks(in: picture.y, detection: detection, faceBox: face, fit: fit),
              FaceTracker.agrees(shape, with: detection, faceBox: face) else {
            loseLandmarks(&track)
            return
        }
        accept(&track, shape, interval: interval, as: .detected)
    }

    private func follow(_ track: inout Track, _ picture: Picture, interval: Float, elapsed: Int) {
        guard track.framesSinceDetection <= FaceTracker.landmarkGrace, elapsed <= largestFollowedGap, let last = track.rawShape,
              let shape = predictor.landmarks(in: picture.y, following: last, fit: fit) else {
            loseLandmarks(&track)
            return
        }
        accept(&track, shape, interval: interval, as: .tracked)
        let (lo, hi) = shape.bounds
        track.region = Box(min: lo, max: hi).scaled(by: 1.2)
    }

    private func accept(_ track: inout Track, _ shape: FaceShape, interval: Float, as observation: FaceObservation) {
        if track.shape == nil { track.smoother.reset() }
        track.rawShape = shape
        track.shape = track.smoother.smooth(shape, interval: interval)
        track.observation = observation
    }

    private func loseLandmarks(_ track: inout Track) {
        track.rawShape = nil
        track.shape = nil
        track.observation = .regionOnly
    }

    /// How far a face may be turned (`FaceShape.yawRatio`: near side over far side) for its landmarks
    /// to be trusted. The ratio grows steeply past 45°; the keypoint agreement below is what catches
    /// a wrong shape. In a six-person picture a face turned and looking down read 3.6-6.1 with its
    /// landmarks within 0.07-0.12 of the detector's keypoints (a good fit), while a near-profile that
    /// dlib fitted as a three-quarter view read only 1.6-2.2 and was caught by the keypoints (0.27-0.41).
    static let largestYawRatio: Float = 8

    /// The nose tip is where a turned face's fit goes wrong first: dlib fitted the near-profile in the
    /// six-person photo as a three-quarter view with its nose 0.46-0.58 (in `agrees`'s units) from the
    /// detector's, its mean over the five points just inside the limit at some sizes; the turned and
    /// looking-down faces it fits well kept the nose within 0.27.
    static let largestNoseError: Float = 0.4

    /// Landmarks are trusted only where they agree with the detector's own five keypoints (eyes, nose,
    /// mouth corners), the nose tip above all, and the face is not turned far away: dlib's predictor,
    /// trained on near-frontal faces, returns a plausible-looking but wrong shape for a profile.
    /// The landmarks must also sit on the detector's box (`faceBox`: the whole face's, where the picture's
    /// edge cut it): the predictor's box is framed from the keypoints, so keypoints off the face would
    /// take landmarks that agree with them off it too.
    static func agrees(_ shape: FaceShape, with detection: Detection, faceBox: Box) -> Bool {
        guard shape.yawRatio < FaceTracker.largestYawRatio, sits(shape, on: faceBox) else { return false }
        let ours = [shape.rightEyeCentre, shape.leftEyeCentre, shape[30], shape[48], shape[54]]
        // CenterFace's "right eye" is the one on the picture's left, as dlib's 36-41.
        let unit = max(shape.interOcularDistance, detection.box.width / 3)
        var error: Float = 0
        for i in 0..<5 { error += distance(ours[i], detection.keypoints[i]) }
        return error / 5 < 0.35 * unit && distance(ours[2], detection.keypoints[2]) < largestNoseError * unit
    }

    /// Whether landmarks sit on the face a detector boxed: the centre of their own box lies inside it.
    static func sits(_ shape: FaceShape, on box: Box) -> Bool {
        let (lo, hi) = shape.bounds
        return box.contains(Box(min: lo, max: hi).centre)
    }
}

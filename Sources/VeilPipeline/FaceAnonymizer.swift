import Foundation
import Logging
import VeilAnonymize
import VeilMedia
import VeilVision
import VeilCore

/// How one face was handled in one frame.
public enum FaceHandling: String, CaseIterable, Sendable {
    /// Donor face swapped onto landmarks from a fresh detection.
    case swapped
    /// Donor face swapped onto landmarks followed from the previous frame (no detection this frame).
    case tracked
    /// Hidden under a cover: by mode, or as the fail-closed fallback.
    case covered
    /// Left as it is: the face is a person on the consent list, matched with high confidence.
    case consented
}

/// How faces are recognised: the identity check on a swapped face, and the consent list's match.
public enum IdentityChecks {
    /// On the frame itself (`veil process`, where time is the file's): a failed check covers the very
    /// frame it was made on.
    case inline(FaceEncoder)
    /// On a thread of their own (live cameras): a swapped face stays covered until a check has passed
    /// for its current donor.
    case deferred(IdentityCheckQueue)
}

/// What puts a donor's face in place of a subject's: `FaceSwapper`, or in tests a replacement that
/// fails on purpose, to prove that the identity checks catch it.
public protocol FaceReplacing {
    func swap(in picture: Picture, target: FaceShape, donor: Donor, reach: BlendReach, clock: inout StageClock) -> Bool
}

extension FaceSwapper: FaceReplacing {}

/// One face in one frame, as the stability log records it.
public struct FaceRecord {
    public var track: Int
    public var handling: FaceHandling
    public var donor: String?
    public var shapeReplaced = false
    /// The donor drawn over this covered face's cover (FaceStandIn).
    public var standIn: String?
    /// Landmark error between the subject's landmarks and those found again on the output, in
    /// inter-ocular distances; absolute, and after removing the track's mean offset so far.
    public var error: Float?
    public var dynamicError: Float?
    /// COCO-style keypoint similarity between the subject's landmarks and the output's, 0 to 1.
    public var oks: Float?
    /// Mean landmark movement since the previous frame, in inter-ocular distances, on the subject and on
    /// the output; set when both frames were measured. Output jitter above the input's is added shake.
    public var jitterInput: Float?
    public var jitterOutput: Float?
    /// Residual of the output landmarks against the subject's, in the subject's face coordinates.
    public var residual: [Point]?
    /// Set on frames where the identity check ran: descriptor distance between subject and output.
    public var identityDistance: Float?
    public var incident: String?
    /// The consent list's name for a face left as it is.
    public var consentedAs: String?

    public init(track: Int, handling: FaceHandling) {
        self.track = track
        self.handling = handling
    }
}

/// Anonymizes every face of a frame according to the settings, holding per-track decisions: which
/// donor, whether the face shape is replaced, whether the track has been escalated to a cover. Fail
/// closed: a face whose landmarks are not trusted, a swap that cannot be placed, or a track whose swap
/// still looks like the subject is covered, never left.
public final class FaceAnonymizer {
    public private(set) var settings: AnonymizerSettings
    public let tracker: FaceTracker
    private let donors: [Donor]
    private let predictor: LandmarkPredictor
    /// Nil: nothing is recognised (covering modes without a consent list).
    private let checks: IdentityChecks?
    private let replacer: FaceReplacing
    private var states: [Int: TrackState] = [:]
    /// The shape each swapped face was drawn in on the last frame: where its landmarks are looked for
    /// on the output.
    private var drawnShapes: [Int: FaceShape] = [:]
    /// The donors shown on the frame being rewritten, swapped or as stand-ins: no two faces show one.
    private var shownDonors: Set<Int> = []
    private let logger: Logger
    /// Recall incidents waiting for the next frame's records: faces a second opinion found that the main
    /// path had not handled.
    private var missedRecords: [FaceRecord] = []
    private var deferredChecks: IdentityCheckQueue? {
        if case let .deferred(queue) = checks { return queue }
        return nil
    }

    /// Checks that reuse one descriptor of the subject before it is computed again.
    static let subjectRefresh = 5

    struct TrackState {
        var donorOrder: [Int] = []
        var ladder: SwapLadder
        var shapeReplacement = ShapeReplacement()
        var identity = IdentityVerifier()
        var stability = StabilityMeter()
        var consent = ConsentGate()
        var widening = BlendWidening.narrow

        init(donorShape: Bool) { ladder = .wearing(rank: 0, donorShape: donorShape) }

        var replaceShape: Bool { ladder.wearsDonorShape }
        var coveredForGood: Bool { ladder == .coveredForGood }
        /// The donor this track wears now; nil before its order is known, or when covered for good.
        var wornDonor: Int? { ladder.rank.flatMap { donorOrder.indices.contains($0) ? donorOrder[$0] : nil } }
    }

    public init(settings: AnonymizerSettings, predictor: LandmarkPredictor, checks: IdentityChecks?, donors: [Donor],
                replacer: FaceReplacing = FaceSwapper(), logger: Logger) {
        precondition(settings.mode != .swap || !donors.isEmpty, "swap mode needs donors")
        precondition((settings.mode != .swap && settings.consent == nil) || checks != nil,
                     "swap mode and the consent list need identity checks")
        self.replacer = replacer
        self.settings = settings
        self.checks = checks
        self.predictor = predictor
        self.donors = donors
        self.logger = logger
        tracker = FaceTracker(predictor: predictor)
    }

    /// Rewrites `picture` in place so that no face in it is the subject's. `detections` come from this
    /// frame (`framesAhead` 0) or from a later one (a look-ahead, see FaceTracker); `elapsedFrames` since
    /// the last call, covered or dropped frames included. `measureStability`: find
    /// the landmarks again on the output for the stability figures (identity checks always do). `fit`: how
    /// the faces' landmarks are fitted on this frame (the direct fit alone when it runs late).
    public func anonymize(_ picture: Picture, detections: [Detection], framesAhead: Int, elapsedFrames: Int = 1, frame: Int,
                          interval: Float, measureStability: Bool, fit: LandmarkFit = .mirrored, clock: inout StageClock) -> [FaceRecord] {
        clock.time("landmarks") {
            tracker.update(picture, detections: detections, framesAhead: framesAhead, elapsedFrames: elapsedFrames, interval: interval,
                           fit: fit)
        }
        defer { missedRecords = [] }
        let live = Set(tracker.tracks.map(\.id))
        states = states.filter { live.contains($0.key) }
        for track in tracker.tracks {
            endConsentIfUntrusted(track, elapsedFrames: elapsedFrames, frame: frame)
        }

        // Identity checks read the subject before anything in the picture changes.
        var subjectDescriptors: [Int: FaceDescriptor] = [:]
        var outcomes: [Int: (distance: Float?, incident: String?)] = [:]
        var deferredJob: IdentityCheckQueue.Job?
        switch checks {
        case let .deferred(queue):
            for result in queue.takeResults() {
                outcomes[result.job.track] = apply(result, frame: frame)
            }
            deferredJob = queueCheck(on: picture, frame: frame, checks: queue)
        case let .inline(encoder):
            for track in tracker.tracks {
                guard let raw = track.rawShape else { continue }
                var state = self.state(for: track)
                // The subject's own descriptor changes little within a track: it is computed again on
                // every few checks only (halving the checks' cost), and whenever the output's cannot
                // be compared. A descriptor that cannot be computed is retried on the next frame.
                let describing = state.identity.needsSubject(refresh: subjectRefresh)
                if state.identity.isDue(at: frame, interval: checkInterval(state)),
                   let descriptor = !describing ? state.identity.subject
                       : try? clock.time("identity", { try encoder.describe(picture, face: raw) }) {
                    if describing {
                        state.identity.subject = descriptor
                        updateConsent(&state, subject: descriptor, track: track.id, frame: frame)
                    }
                    subjectDescriptors[track.id] = descriptor
                    chooseDonors(&state, subject: descriptor, track: track.id)
                    state.identity.checked(at: frame, describingSubject: describing)
                }
                states[track.id] = state
            }
        case nil:
            break
        }

        var records: [FaceRecord] = []
        var targets: [Int: FaceShape] = [:]
        let claims = claimDonors()
        shownDonors = Set(claims.values)
        for track in tracker.tracks {
            var record = FaceRecord(track: track.id, handling: .covered)
            var state = self.state(for: track)
            if let name = state.consent.shownAs {
                record.handling = .consented
                record.consentedAs = name
            } else if let shape = track.shape, let choice = claims[track.id] {
                let donor = donors[choice]
                let target = state.replaceShape ? state.shapeReplacement.target(for: shape, donor: donor) : shape
                if replacer.swap(in: picture, target: target, donor: donor, reach: state.widening.reach, clock: &clock) {
                    record.handling = track.observation == .detected ? .swapped : .tracked
                    record.donor = donor.name
                    record.shapeReplaced = state.replaceShape
                    targets[track.id] = target
                    if deferredJob?.track == track.id { deferredJob?.output = track.rawShape }
                }
            }
            if let outcome = outcomes[track.id] {
                record.identityDistance = outcome.distance
                record.incident = outcome.incident
            }
            if record.handling == .covered {
                let style = settings.mode == .swap ? settings.fallbackCover : CoverStyle(rawValue: settings.mode.rawValue)!
                record.standIn = cover(track, style: style, in: picture, clock: &clock)
            }
            states[track.id] = state
            records.append(record)
        }
        if let checks = deferredChecks, let job = deferredJob {
            if job.subject != nil || job.output != nil {
                checks.submit(job, output: picture)
            } else if var state = states[job.track] {
                // Nothing to compare on this frame (no subject needed, face not swapped): no check ran.
                state.identity.inFlight = false
                if awaitsVerification(state, frame: frame) { state.identity.checkSoon() }
                states[job.track] = state
            }
        }
        if deferredChecks != nil {
            // Unverified swaps wait under a cover, copied for their check first.
            for (index, track) in tracker.tracks.enumerated()
            where [.swapped, .tracked].contains(records[index].handling) && !(states[track.id]?.identity.isVerified(at: frame) ?? false) {
                shownDonors.remove(claims[track.id]!)
                records[index].standIn = cover(track, style: settings.fallbackCover, in: picture, clock: &clock)
                records[index].handling = .covered
            }
        }

        drawnShapes = targets
        measureOutput(picture, records: &records, frame: frame, stability: measureStability, subjects: subjectDescriptors, clock: &clock)
        for missed in missedRecords where !records.contains(where: { $0.track == missed.track }) { records.append(missed) }
        for index in records.indices {
            if let missed = missedRecords.first(where: { $0.track == records[index].track }) { records[index].incident = missed.incident }
        }
        return records
    }

    /// Faces a second opinion (another detector) found on a frame `framesAgo` frames before the next
    /// one that nothing the main path handled accounts for: each gets a covered track at once and is
    /// recorded as a recall incident on the next frame's records (unless `incident` is false: the frame
    /// was covered whole, so nothing leaked).
    public func coverMissedFaces(_ boxes: [Box], framesAgo: Int, incident: Bool = true) {
        guard !boxes.isEmpty else { return }
        for id in tracker.addMissed(boxes, framesAgo: framesAgo) where incident {
            var record = FaceRecord(track: id, handling: .covered)
            record.incident = "recall: the second opinion found a face the detector missed; covered"
            missedRecords.append(record)
            logger.warning("track \(id): \(record.incident!)")
        }
    }

    /// Keypoint stability of the last frame `anonymize` rewrote (its `picture` and `records`), measured
    /// later: the live pipeline hands the frame off first and measures with the time left before the
    /// next one, so that the proof never adds to a frame's latency.
    public func measureStability(of picture: Picture, records: inout [FaceRecord], frame: Int, clock: inout StageClock) {
        measureOutput(picture, records: &records, frame: frame, stability: true, subjects: [:], clock: &clock)
    }

    /// Finds the landmarks again on the output for the stability figures (`stability`) and for the
    /// inline identity checks of the tracks in `subjects`.
    private func measureOutput(_ picture: Picture, records: inout [FaceRecord], frame: Int, stability: Bool,
                               subjects: [Int: FaceDescriptor], clock: inout StageClock) {
        for (index, track) in tracker.tracks.enumerated() where records[index].handling != .consented {
            guard let raw = track.rawShape, stability || subjects[track.id] != nil else { continue }
            let output = clock.time("stability") { predictor.landmarks(in: picture.y, following: drawnShapes[track.id] ?? raw) }
            if let output { recordStability(&records[index], subject: raw, output: output, frame: frame) }
            if let subject = subjects[track.id], records[index].handling != .covered {
                // The check fits its own landmarks on the output, from the subject's box: the swap's own
                // shape would find the donor's face where it was drawn, whatever the output shows.
                let fitted = drawnShapes[track.id] == nil ? output
                    : clock.time("identity") { predictor.landmarks(in: picture.y, following: raw) }
                verifyIdentity(track, subject: subject, output: fitted, in: picture, record: &records[index], clock: &clock)
            }
        }
    }

    /// How often a track's identity is checked, in frames: more often while it is shown for consent
    /// (or about to be), so that a track that jumps from the consenting person to another is caught soon,
    /// and while its blend is wide, which spends most of the margin's surplus (BlendWidening).
    private func checkInterval(_ state: TrackState) -> Int {
        let interval = settings.identityCheckInterval
        return state.consent.isEngaged || state.widening == .wide ? max(1, interval / 3) : interval
    }

    /// A swapped face that no recent check has passed: it waits under a cover, so it is checked again
    /// as soon as the queue allows.
    private func awaitsVerification(_ state: TrackState, frame: Int) -> Bool {
        settings.mode == .swap && state.consent.shownAs == nil && !state.coveredForGood && !state.identity.isVerified(at: frame)
    }

    /// How long a passed check vouches for a swap, in frames: four check intervals, so that one late or
    /// failed check does not cover the face, while a swap nobody has looked at for long is not shown.
    private var verificationLifetime: Int { 4 * settings.identityCheckInterval }

    /// How long a matching consent check lets a face be shown, in frames (one check interval: a second
    /// at the camera's rate), while checks run three times as often.
    private var consentLifetime: Int { settings.identityCheckInterval }

    /// Consent ends the moment the face cannot be vouched for: landmarks no longer trusted (region
    /// only: a turned or small face, or a track re-attached by box overlap), a gap of frames not seen
    /// (covered whole or dropped: someone else may sit there now), or no recent matching check.
    private func endConsentIfUntrusted(_ track: Track, elapsedFrames: Int, frame: Int) {
        guard var state = states[track.id],
              let reason = state.consent.doubt(landmarksTrusted: track.observation != .regionOnly && track.shape != nil,
                                               unseenFrames: elapsedFrames - 1, largestFollowedGap: tracker.largestFollowedGap,
                                               frame: frame, lifetime: consentLifetime) else { return }
        if case let .ended(name) = state.consent.end() { logger.info("track \(track.id): consent as \(name) ended (\(reason)); anonymized") }
        states[track.id] = state
    }

    /// Ends every consent given to a person no longer on the list (`veil run` re-reads the consent
    /// directory on SIGHUP): their face is anonymized from the next frame on.
    public func updateConsentList(_ list: ConsentList?) {
        settings.consent = list
        for (id, state) in states {
            guard let name = state.consent.shownAs, list?.contains(name) != true else { continue }
            logger.info("track \(id): \(name) is no longer on the consent list; anonymized")
            states[id]?.consent.end()
        }
    }

    /// Checks that reuse one descriptor of the subject before it is computed again: none with a consent
    /// list, which must look at the face itself every time it lets it through.
    private var subjectRefresh: Int { settings.consent == nil ? FaceAnonymizer.subjectRefresh : 1 }

    /// A fresh descriptor of the subject against the consent list: two matches in a row show the face,
    /// one miss anonymizes it again.
    private func updateConsent(_ state: inout TrackState, subject: FaceDescriptor, track: Int, frame: Int) {
        guard let consent = settings.consent else { return }
        switch state.consent.observe(match: consent.match(subject), frame: frame) {
        case let .shown(name): logger.info("track \(track): on the consent list as \(name); shown")
        case let .ended(name): logger.info("track \(track): no longer matches \(name); anonymized")
        case nil: break
        }
    }

    /// Orders the donors for a swapped track once its subject is known; a subject no donor is far
    /// enough from is covered for the rest of the track.
    private func chooseDonors(_ state: inout TrackState, subject: FaceDescriptor, track: Int) {
        guard settings.mode == .swap, state.donorOrder.isEmpty, !state.coveredForGood else { return }
        state.donorOrder = donorOrder(for: subject, excluding: track)
        if state.donorOrder.isEmpty {
            state.ladder = .coveredForGood
            logger.warning("track \(track): no donor is \(String(format: "%.2f", requiredMargin(track: track))) away from this face; covering it")
        }
    }

    /// The donor each swapped face shows on this frame (DonorAssignment.match): two people in one frame
    /// never show the same face, and as many are swapped as the donors allow. A face that moves to
    /// another donor is checked again at the first chance (live, it waits under a cover until a check
    /// passes); one left without a donor is covered on this frame.
    private func claimDonors() -> [Int: Int] {
        guard settings.mode == .swap else { return [:] }
        let claimants = tracker.tracks.filter { track in
            let state = self.state(for: track)
            return state.consent.shownAs == nil && !state.coveredForGood && track.shape != nil && state.ladder.rank != nil
        }
        let ranks = DonorAssignment.match(claimants.map { track in
            let state = self.state(for: track)
            return DonorAssignment.Claimant(order: state.donorOrder, rank: state.ladder.rank!)
        })
        var claims: [Int: Int] = [:]
        for (track, rank) in zip(claimants, ranks) {
            guard let rank else { continue }
            var state = self.state(for: track)
            if rank != state.ladder.rank {
                state.ladder = .wearing(rank: rank, donorShape: state.replaceShape)
                state.widening = state.widening.forNewDonor
                state.identity.unverify()
                logger.info("track \(track.id): donor shown on another face; now \(donors[state.donorOrder[rank]].name)")
                states[track.id] = state
            }
            claims[track.id] = state.donorOrder[rank]
        }
        return claims
    }

    /// Picks the one track (if any) whose deferred check is due, copies the subject's pixels when its
    /// descriptor is needed, and returns the job for `submit` once the output is known.
    private func queueCheck(on picture: Picture, frame: Int, checks: IdentityCheckQueue) -> IdentityCheckQueue.Job? {
        guard checks.isIdle else { return nil }
        for track in tracker.tracks {
            guard let raw = track.rawShape else { continue }
            var state = self.state(for: track)
            guard !state.coveredForGood, !state.identity.inFlight, state.identity.isDue(at: frame, interval: checkInterval(state)) else { continue }
            let needSubject = state.identity.needsSubject(refresh: subjectRefresh)
            if needSubject { checks.keepOriginal(picture) }
            state.identity.checked(at: frame, describingSubject: needSubject)
            state.identity.inFlight = true
            states[track.id] = state
            return IdentityCheckQueue.Job(track: track.id, frame: frame, subject: needSubject ? raw : nil, output: nil,
                                          choice: state.ladder, reach: state.widening.reach)
        }
        return nil
    }

    /// Takes in a deferred check's result: the subject's descriptor (and from it the donor order), and
    /// the verdict on the swap, if the track still shows the donor the check was made with. Returns what
    /// the frame's record should say.
    private func apply(_ result: IdentityCheckQueue.Result, frame: Int) -> (distance: Float?, incident: String?)? {
        let id = result.job.track
        guard var state = states[id] else { return nil }
        state.identity.inFlight = false
        var outcome: (distance: Float?, incident: String?) = (nil, nil)
        if result.job.subject != nil {
            if let subject = result.subject {
                state.identity.subject = subject
                updateConsent(&state, subject: subject, track: id, frame: result.job.frame)
            } else {
                state.identity.forgetSubjectUses()
                // A consent check that could not run lets no one through.
                if case let .ended(name) = state.consent.end() {
                    logger.info("track \(id): consent check for \(name) could not run; anonymized")
                }
            }
        }
        if let subject = state.identity.subject { chooseDonors(&state, subject: subject, track: id) }
        let sameChoice = result.job.choice == state.ladder && result.job.reach == state.widening.reach
        if result.job.output != nil, sameChoice {
            if let output = result.output, let subject = result.subject ?? state.identity.subject {
                let d = output.distance(to: subject)
                outcome.distance = d
                let passed = d >= requiredMargin(track: id)
                if passed {
                    state.identity.passed(checkedAt: result.job.frame, lifetime: verificationLifetime)
                    state.widening = state.widening.after(check: d, margin: requiredMargin(track: id))
                } else {
                    state.identity.unverify()
                }
                states[id] = state
                if !passed {
                    var record = FaceRecord(track: id, handling: .covered)
                    escalate(id, distance: d, record: &record)
                    outcome.incident = record.incident
                    state = states[id] ?? state
                }
            } else {
                outcome.incident = "identity check could not run; covered, checking again"
                state.identity.forgetSubjectUses()
            }
        }
        // Until a check passes, the face is covered: check again as soon as possible.
        if awaitsVerification(state, frame: frame) { state.identity.checkSoon() }
        states[id] = state
        return outcome
    }

    /// Compares the swapped face with its subject. A face that fails is covered in this very frame (it
    /// is never emitted) and its track escalates; a check that cannot run (no face found again on the
    /// output, a descriptor error) covers the frame too, and is tried again on the next one.
    private func verifyIdentity(_ track: Track, subject: FaceDescriptor, output: FaceShape?, in picture: Picture,
                                record: inout FaceRecord, clock: inout StageClock) {
        guard case let .inline(encoder) = checks else { return }
        let descriptor = output.flatMap { face in try? clock.time("identity") { try encoder.describe(picture, face: face) } }
        if let descriptor {
            let d = descriptor.distance(to: subject)
            record.identityDistance = d
            guard d < requiredMargin(track: track.id) else {
                if let widening = states[track.id]?.widening {
                    states[track.id]?.widening = widening.after(check: d, margin: requiredMargin(track: track.id))
                }
                return
            }
            escalate(track.id, distance: d, record: &record)
        } else {
            record.incident = "identity check could not run; covered, checking again"
            states[track.id]?.identity.checkSoon()
            states[track.id]?.identity.forgetSubjectUses()
        }
        record.standIn = cover(track, style: settings.fallbackCover, in: picture, clock: &clock)
        record.handling = .covered
    }

    /// Covers a face, and in swap mode draws a stand-in over the cover where this frame's detection
    /// placed the face (FaceStandIn): the first donor in the track's order (any, before its subject is
    /// known) that no other face shows on this frame. Returns the stand-in's name, if one was drawn.
    private func cover(_ track: Track, style: CoverStyle, in picture: Picture, clock: inout StageClock) -> String? {
        let region = coverRegion(track)
        clock.time("cover") { Cover.apply(style, over: region, in: picture) }
        guard settings.mode == .swap, track.framesSinceDetection == 0, let keypoints = track.detectionKeypoints,
              let box = track.detectionBox else { return nil }
        let order = (states[track.id]?.donorOrder ?? []) + donors.indices
        guard let choice = order.first(where: { !shownDonors.contains($0) }),
              let placed = FaceStandIn.shape(of: donors[choice], placedAt: keypoints, box: box),
              replacer.swap(in: picture, target: placed, donor: donors[choice], reach: .insideOutline, clock: &clock) else { return nil }
        shownDonors.insert(choice)
        return donors[choice].name
    }

    /// Where to cover a face: around its landmarks (forehead included) and its latest detection box
    /// both, so that landmarks drifting off the face never uncover it; only the box when no landmarks
    /// are trusted.
    private func coverRegion(_ track: Track) -> Box {
        guard let shape = track.shape else { return track.coveredRegion.scaled(by: 1.1) }
        var lo = shape.bounds.min, hi = shape.bounds.max
        for p in shape.foreheadPoints() { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let landmarks = Box(min: lo, max: hi).scaled(by: 1.1)
        return track.detectionBox.map(landmarks.union) ?? landmarks
    }

    private func state(for track: Track) -> TrackState {
        states[track.id] ?? TrackState(donorShape: settings.preserve == .dynamics)
    }

    /// The distance a track's swap must keep from its subject (see IdentityVerifier.requiredMargin).
    private func requiredMargin(track id: Int) -> Float {
        guard let track = tracker.tracks.first(where: { $0.id == id }) else { return settings.identityMargin }
        return IdentityVerifier.requiredMargin(settings.identityMargin, faceWidth: track.region.width)
    }

    /// The donors this track may wear (see DonorAssignment): none that looks like another face in the
    /// picture (as far as their descriptors are known), with those other tracks wear last.
    private func donorOrder(for subject: FaceDescriptor, excluding track: Int) -> [Int] {
        let others = states.filter { $0.key != track }
        let inUse = Set(others.compactMap(\.value.wornDonor))
        return DonorAssignment.order(donors: donors.map(\.descriptor), subject: subject, margin: requiredMargin(track: track),
                                     others: others.compactMap(\.value.identity.subject), inUse: inUse)
    }

    /// A swapped face still within the margin of its subject: a wide blend narrows for good first (the
    /// same donor, inside the outline), then the next donor, then the donor's face shape, then a cover
    /// for the rest of the track.
    private func escalate(_ id: Int, distance: Float, record: inout FaceRecord) {
        guard var state = states[id] else { return }
        let before = state.ladder
        let action: String
        if state.widening == .wide {
            state.widening = .narrowForGood
            action = "a blend inside the outline"
        } else {
            state.ladder = before.escalated(donors: state.donorOrder.count)
            state.widening = state.widening.forNewDonor
            switch state.ladder {
            case .coveredForGood: action = "cover"
            case let .wearing(rank, donorShape):
                action = donorShape && !before.wearsDonorShape ? "donor face shape" : "next donor \(donors[state.donorOrder[rank]].name)"
            }
        }
        state.identity.unverify()  // verify the new choice on the next frame
        states[id] = state
        record.incident = "identity distance \(String(format: "%.3f", distance)) < margin \(String(format: "%.2f", requiredMargin(track: id))): escalated to \(action)"
        logger.warning("track \(id): \(record.incident!)")
    }

    private func recordStability(_ record: inout FaceRecord, subject: FaceShape, output: FaceShape, frame: Int) {
        var state = states[record.track] ?? TrackState(donorShape: false)
        let figures = state.stability.measure(subject: subject, output: output, frame: frame)
        states[record.track] = state
        record.error = figures.error
        record.dynamicError = figures.dynamicError
        record.oks = figures.oks
        record.residual = figures.residual
        record.jitterInput = figures.jitter?.input
        record.jitterOutput = figures.jitter?.output
    }
}

/// The live invariant: a frame reaches the outputs only after a detection pass over that frame, or over
/// a later one, has been applied to it (a look-ahead, as `veil process` does; known faces are then
/// followed on the frame's own pixels). A frame that cannot have such a pass by its deadline is covered
/// whole or dropped; it is never emitted on older detections alone, since a face that walked in after
/// the newest pass would go out as it is.
///
/// One pure function of plain numbers (nanoseconds on one clock), so that it is tested with synthetic
/// clocks: processing asks it what to do with its oldest frame, and asks again whenever a pass ends or
/// the time it was told to wait until comes.
public enum LiveInvariant {
    /// The running detection pass as processing sees it.
    public struct Pass: Equatable {
        /// The frame the pass looks at.
        public var sequence: Int
        /// When it is expected to end.
        public var end: UInt64

        public init(sequence: Int, end: UInt64) {
            self.sequence = sequence
            self.end = end
        }
    }

    public struct Inputs {
        /// The frame to decide on.
        public var sequence: Int
        /// Capture time plus the budget: the frame is handed off by then or never.
        public var deadline: UInt64
        public var now: UInt64
        /// The frame of the earliest finished pass over this frame or a later one, if any.
        public var finished: Int?
        /// The pass running now, with its expected end (its start plus the passes' usual duration).
        public var running: Pass?
        /// How long a pass usually takes: a pass not yet started ends this long after the running one.
        public var passDuration: UInt64
        /// The expected cost of anonymizing the frame, plus a margin for the scheduler.
        public var anonymizeCost: UInt64
        /// The same with each face's landmarks fitted directly, without the mirrored fit beside it
        /// (at most `anonymizeCost`): the rung between the full anonymizer and the quick cover.
        public var directFitCost: UInt64
        /// False once the detector has stopped and has no pass left to run: none will clear the frame.
        public var morePasses: Bool

        /// `directFitCost` nil: no cheaper than the full anonymizer.
        public init(sequence: Int, deadline: UInt64, now: UInt64, finished: Int?, running: Pass?, passDuration: UInt64,
                    anonymizeCost: UInt64, directFitCost: UInt64? = nil, morePasses: Bool = true) {
            self.morePasses = morePasses
            self.directFitCost = Swift.min(directFitCost ?? anonymizeCost, anonymizeCost)
            self.sequence = sequence
            self.deadline = deadline
            self.now = now
            self.finished = finished
            self.running = running
            self.passDuration = passDuration
            self.anonymizeCost = anonymizeCost
        }
    }

    public enum Decision: Equatable {
        /// Apply the finished pass and anonymize in full: it ends before the deadline.
        case anonymize
        /// A pass is applied and the faces swapped as in full, but with their landmarks fitted directly
        /// (no mirrored fit): the full anonymizer would end past the deadline, this would not.
        case anonymizeDirectFit
        /// A pass is applied, but the full anonymizer would end past the deadline: cover the faces the
        /// tracks and the pass know, cheaply.
        case quickCover
        /// A pass over this frame or a later one may still end in time: wait until the given time (or
        /// until a pass ends, whichever comes first), then decide again.
        case wait(until: UInt64)
        /// No pass over this frame or a later one can end in time: cover the whole frame (or drop it,
        /// per `on_stall`).
        case coverWhole
        /// The deadline has passed: the frame is not emitted at all.
        case drop
    }

    public static func decide(_ inputs: Inputs) -> Decision {
        guard inputs.now < inputs.deadline else { return .drop }
        func lastStart(costing cost: UInt64) -> UInt64 { inputs.deadline > cost ? inputs.deadline - cost : 0 }
        // A frame waits for its pass only as long as the full anonymizer can follow it: waiting on to
        // the direct fit's last moment held every later frame back too (on 2 cores with one taken, six
        // faces: more frames dropped from the ring and a higher latency, for no more swapped faces).
        let latestStart = lastStart(costing: inputs.anonymizeCost)
        if let finished = inputs.finished {
            precondition(finished >= inputs.sequence, "a pass over an earlier frame never clears a later one")
            if inputs.now <= latestStart { return .anonymize }
            return inputs.now <= lastStart(costing: inputs.directFitCost) ? .anonymizeDirectFit : .quickCover
        }
        guard inputs.morePasses else { return .coverWhole }
        // The first pass that can clear this frame: the running one if it looks at this frame or a later
        // one; else the one that starts when it ends (the detector always takes the newest frame, which
        // is this one or later); with none running, one that would start now.
        let expectedEnd: UInt64
        if let running = inputs.running {
            expectedEnd = running.sequence >= inputs.sequence ? running.end : running.end + inputs.passDuration
        } else {
            expectedEnd = inputs.now + inputs.passDuration
        }
        // A pass already overdue (a stalled or slow detector) may still end at any moment.
        guard Swift.max(expectedEnd, inputs.now) < latestStart else { return .coverWhole }
        return .wait(until: latestStart)
    }
}

import VeilCore

/// The figures of a stability log that the terminal and HTML reports show: computed once here, so
/// that both say the same and the tests can check them without parsing text.
public struct ReportSummary {
    /// The daemon's default `identity_margin`: a swapped face closer than this to its subject is an incident.
    public static let defaultIdentityMargin = IdentityThresholds.defaultMargin
    /// How many incidents the reports spell out; the rest are counted.
    public static let listedIncidents = 5

    public struct HandlingCount: Equatable {
        public let handling: String
        public let faces: Int
    }

    public struct IdentityFigures: Equatable {
        public let margin: Double
        public let distances: Distribution?
        /// Checks whose distance is at or above the margin.
        public let passed: Int
        public var checks: Int { distances?.count ?? 0 }
    }

    public struct Incident: Equatable {
        public let camera: String?
        public let frame: Int
        public let time: Double
        public let track: Int
        public let text: String
    }

    public struct TrackFigures: Equatable {
        public let camera: String?
        public let track: Int
        public let faces: Int
        public let firstTime: Double
        public let lastTime: Double
        /// In the order the track got them: more than one means an escalation.
        public let donors: [String]
        public let meanNME: Double?
        public let meanMovementNME: Double?
        public let identityChecks: Int
        public let minIdentityDistance: Double?
        public let incidents: Int
    }

    public struct CameraFigures {
        public let camera: String
        public let figures: Figures
    }

    /// Everything computed from a set of per-face records: the whole log, or one camera's share of it.
    public struct Figures {
        /// Frames with at least one face; frames without faces leave no record.
        public let framesWithFaces: Int
        public let faces: Int
        public let tracks: Int
        public let firstTime: Double?
        public let lastTime: Double?
        /// swapped, tracked, covered first, then any other kind a newer writer uses.
        public let handling: [HandlingCount]
        public let nme: Distribution?
        /// NME of the faces that kept their own shape: where the keypoints target applies.
        public let ownShapeNME: Distribution?
        public let movementNME: Distribution?
        public let oks: Distribution?
        public let identity: IdentityFigures
        public let incidents: [Incident]
        public let framesWithFallbackCover: Int
        public let tracksFigures: [TrackFigures]
        public let movementTarget: TargetCheck
        public let absoluteTarget: TargetCheck
        public let identityTarget: TargetCheck
        public var targets: [TargetCheck] { [movementTarget, absoluteTarget, identityTarget] }
    }

    public let path: String
    public let whole: Figures
    /// Per camera, in name order; empty when the records carry no camera (`veil process`).
    public let cameras: [CameraFigures]
    /// What the run itself computed at its end; empty when it did not finish.
    public let loggedSummaries: [StabilitySummaryRecord]
    public let cutOffLine: Int?
    /// Per-face records in log order, for the charts.
    public let records: [StabilityRecord]

    public var hasSummary: Bool { !loggedSummaries.isEmpty }

    public init(log: StabilityLogFile, identityMargin: Double = defaultIdentityMargin) {
        path = log.path
        records = log.records
        loggedSummaries = log.summaries
        cutOffLine = log.cutOffLine
        whole = Figures(log.records, identityMargin: identityMargin)
        if log.records.contains(where: { $0.camera != nil }) {
            let byCamera = Dictionary(grouping: log.records) { $0.camera ?? Self.noCamera }
            cameras = byCamera.keys.sorted().map { CameraFigures(camera: $0, figures: Figures(byCamera[$0]!, identityMargin: identityMargin)) }
        } else {
            cameras = []
        }
    }

    /// The group of records that lack the field in a log where others have it.
    static let noCamera = "(no camera)"
}

extension ReportSummary.Figures {
    init(_ records: [StabilityRecord], identityMargin: Double) {
        struct FrameKey: Hashable { let camera: String?; let frame: Int }
        struct TrackKey: Hashable { let camera: String?; let track: Int }
        framesWithFaces = Set(records.map { FrameKey(camera: $0.camera, frame: $0.frame) }).count
        faces = records.count
        firstTime = records.map(\.time).min()
        lastTime = records.map(\.time).max()

        let counts = Dictionary(grouping: records, by: \.handling).mapValues(\.count)
        let known = ["swapped", "tracked", "covered"]
        let order = known.filter { counts[$0] != nil } + counts.keys.filter { !known.contains($0) }.sorted()
        handling = order.map { ReportSummary.HandlingCount(handling: $0, faces: counts[$0]!) }

        nme = Distribution(records.compactMap(\.nme))
        ownShapeNME = Distribution(records.filter { $0.shapeReplaced != true }.compactMap(\.nme))
        movementNME = Distribution(records.compactMap(\.nmeDynamic))
        oks = Distribution(records.compactMap(\.oks))
        let distances = records.compactMap(\.identityDistance)
        identity = ReportSummary.IdentityFigures(margin: identityMargin, distances: Distribution(distances),
                                                 passed: distances.filter { $0 >= identityMargin }.count)
        incidents = records.compactMap { r in
            r.incident.map { ReportSummary.Incident(camera: r.camera, frame: r.frame, time: r.time, track: r.track, text: $0) }
        }
        framesWithFallbackCover = Set(records.filter { $0.handling == "covered" }.map { FrameKey(camera: $0.camera, frame: $0.frame) }).count

        let byTrack = Dictionary(grouping: records) { TrackKey(camera: $0.camera, track: $0.track) }
        tracks = byTrack.count
        tracksFigures = byTrack.map { key, list in
            var donors: [String] = []
            for donor in list.compactMap(\.donor) where !donors.contains(donor) { donors.append(donor) }
            return ReportSummary.TrackFigures(
                camera: key.camera, track: key.track, faces: list.count,
                firstTime: list.map(\.time).min()!, lastTime: list.map(\.time).max()!, donors: donors,
                meanNME: Distribution(list.compactMap(\.nme))?.mean,
                meanMovementNME: Distribution(list.compactMap(\.nmeDynamic))?.mean,
                identityChecks: list.filter { $0.identityDistance != nil }.count,
                minIdentityDistance: list.compactMap(\.identityDistance).min(),
                incidents: list.filter { $0.incident != nil }.count)
        }.sorted { ($0.camera ?? "", $0.track) < ($1.camera ?? "", $1.track) }

        // Judged on the per-face records, which every log has, a cut-off one too; the terminal shows the
        // summary record's whole-run figures beside them when there is one.
        movementTarget = TargetCheck.atMost("movement NME", movementNME?.mean, TargetCheck.movementNMELimit)
        absoluteTarget = TargetCheck.atMost("absolute NME of faces keeping their own shape", ownShapeNME?.mean,
                                            TargetCheck.absoluteNMELimit)
        identityTarget = TargetCheck.identity(passed: identity.passed, checks: identity.checks,
                                              anonymizedFaces: records.filter { $0.donor != nil }.count)
    }
}

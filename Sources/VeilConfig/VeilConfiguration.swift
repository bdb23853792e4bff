import Logging
import VeilCore

/// The daemon's configuration, as read from /etc/veil/veil.toml (Config/veil.toml documents every
/// key and its default). Plain values of the types the pipeline takes (VeilCore's), so
/// this module knows nothing of the pipeline and `veil check-config` loads nothing heavy.
public struct VeilConfiguration: Equatable, Sendable {
    public var daemon: Daemon
    public var anonymize: Anonymize
    public var cameras: [Camera]

    /// `source_timeout_ms`'s default: a camera silent for 2 s is lost (well inside the watchdog's stall
    /// limit, half of WatchdogSec=10), and its slate goes out instead.
    public static let defaultSourceTimeoutMs = 2000

    public struct Daemon: Equatable, Sendable {
        /// Where /metrics, /healthz and /status listen; nil: no HTTP server (`http = ""`).
        public var http: Endpoint?
        /// A 0600 file holding the token every HTTP request must carry (`Authorization: Bearer` or
        /// `?token=`); required when `http` is reachable from other machines.
        public var httpTokenFile: String?
        public var logLevel: Logger.Level
        /// JSON Lines: measured faces, minute windows, summaries; nil: not written (`stability_log = ""`).
        public var stabilityLog: String?
        /// The log is rotated when it would pass this size; this many rotated files are kept.
        public var stabilityLogMaxMB: Int = 100
        public var stabilityLogKeep: Int = 5
    }

    public struct Anonymize: Equatable, Sendable {
        public var mode: AnonymizeMode
        /// A directory of donor images, or one image; nil: the installed default donors.
        public var donors: String?
        public var identityMargin: Double
        public var onStall: StallPolicy
        /// A directory of `veil enroll` files: people shown as they are; nil: everyone is anonymized.
        public var consent: String?
        /// How close a face's descriptor must be to an enrolled one to be shown.
        public var consentDistance = IdentityThresholds.defaultConsentDistance
    }

    public struct Camera: Equatable, Sendable {
        /// Unique; letters, digits, '.', '_' and '-' only, as it names files and metrics.
        public var name: String
        /// A V4L2 device, or any FFmpeg input (file, URL).
        public var source: String
        public var size: Size
        public var fps: Int
        public var format: PixelFormat
        /// Capture to hand-off, in milliseconds (default: one frame interval, 1000 / fps).
        public var budgetMs: Int
        /// For file sources: deliver frames at their own rate, looping.
        public var realtime: Bool
        /// How long the source may go without a frame (or an open without an answer) before the camera
        /// counts as lost and gets the offline slate, in milliseconds.
        public var sourceTimeoutMs: Int
        public var outputs: [Output]
        public var encoder: Encoder
    }

    public typealias Size = FrameSize

    public enum PixelFormat: String, CaseIterable, Sendable {
        case auto, yuyv, nv12, mjpeg
    }

    public enum Output: Equatable, Sendable {
        case rtp(RTP)
        case srtp(SRTP)
        case record(Record)
        case loopback(Loopback)

        public enum Kind: String, CaseIterable, Sendable {
            case rtp, srtp, record, loopback
        }

        public var kind: Kind {
            switch self {
            case .rtp: return .rtp
            case .srtp: return .srtp
            case .record: return .record
            case .loopback: return .loopback
            }
        }

        public struct RTP: Equatable, Sendable {
            public var address: Endpoint
            /// Where the session description for receivers is written; nil: none written.
            public var sdp: String?
        }

        public struct SRTP: Equatable, Sendable {
            public var address: Endpoint
            public var sdp: String?
            /// Base64 SRTP master key and salt (30 bytes), mode 0600. Read by the daemon, never logged.
            public var keyFile: String
        }

        public struct Record: Equatable, Sendable {
            /// A directory; segments are named by camera and start time.
            public var path: String
            public var segmentSeconds: Int
            public var container: RecordingContainer
            /// The oldest segments are deleted past this total, in gigabytes.
            public var maxTotalGB: Double
        }

        public struct Loopback: Equatable, Sendable {
            /// A v4l2loopback device.
            public var device: String
        }
    }

    public struct Encoder: Equatable, Sendable {
        public var codec: String
        public var preset: String
        public var bitrateKbps: Int
        /// Frames between keyframes (default: fps, one a second).
        public var gop: Int
    }
}

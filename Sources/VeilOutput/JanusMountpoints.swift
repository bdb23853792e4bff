import VeilCore

/// Janus's streaming plugin entries (janus.plugin.streaming.jcfg) that receive a camera's `rtp` and
/// `srtp` outputs as they are: the payload type and profile-level-id Veil's encoder gives (read from
/// its own SPS), the SRTP suite and key. Janus forwards the packets to WebRTC viewers without
/// re-encoding; the address an output sends to is the Janus host and mountpoint port.
public enum JanusMountpoints {
    /// The payload type FFmpeg's RTP muxer gives H.264 (the first dynamic one).
    static let payloadType = 96
    /// Janus's name for AES_CM_128_HMAC_SHA1_80, the suite Veil's SRTP uses.
    static let srtpSuite = 80

    public struct Camera {
        public let name: String
        public let width: Int
        public let height: Int
        public let frameRate: Double
        public let encoder: EncoderOptions
        public let outputs: [OutputSpec]

        public init(name: String, width: Int, height: Int, frameRate: Double, encoder: EncoderOptions, outputs: [OutputSpec]) {
            self.name = name
            self.width = width
            self.height = height
            self.frameRate = frameRate
            self.encoder = encoder
            self.outputs = outputs
        }
    }

    /// Mountpoint ids count from `firstID` over the cameras' rtp and srtp outputs in config order.
    /// Throws when an encoder cannot be opened or a key file read (one line naming it).
    public static func render(_ cameras: [Camera], firstID: Int = 1) throws -> String {
        var entries: [String] = [], id = firstID
        for camera in cameras {
            let streams = camera.outputs.filter { if case .rtp = $0 { true } else if case .srtp = $0 { true } else { false } }
            guard !streams.isEmpty else { continue }
            let encoder = try LiveEncoder(options: camera.encoder, width: camera.width, height: camera.height, frameRate: camera.frameRate,
                                          name: "outputs of camera \(camera.name)")
            guard let profile = encoder.stream.profileLevelID else {
                throw UserError("camera '\(camera.name)': the encoder's headers hold no SPS to read the H.264 profile from")
            }
            for spec in streams {
                var lines = ["\(entryName(camera.name, id: id)): {",
                             "  type = \"rtp\"",
                             "  id = \(id)",
                             "  description = \"\(camera.name) (\(spec.kindName) from Veil)\""]
                var address: Endpoint
                switch spec {
                case let .srtp(endpoint, _, keyFile):
                    address = endpoint
                    lines += ["  srtpsuite = \(srtpSuite)", "  srtpcrypto = \"\(try SRTPKey(file: keyFile).base64)\""]
                case let .rtp(endpoint, _):
                    address = endpoint
                default:
                    continue
                }
                lines += ["  media = (",
                          "    {",
                          "      type = \"video\"",
                          "      mid = \"v\"",
                          "      port = \(address.port)",
                          "      pt = \(payloadType)",
                          "      codec = \"h264\"",
                          "      fmtp = \"profile-level-id=\(profile);packetization-mode=1\"",
                          "    }",
                          "  )",
                          "}"]
                entries.append("# Veil camera \(camera.name): \(spec.kindName) to \(address); point the output at this Janus host.")
                entries.append(lines.joined(separator: "\n"))
                id += 1
            }
        }
        return entries.joined(separator: "\n\n") + (entries.isEmpty ? "" : "\n")
    }
}

extension JanusMountpoints {
    /// A name libconfig takes (letters, digits, '_', '-'): a camera's '.' would make Janus drop the
    /// whole file, with only a syntax error in its log.
    static func entryName(_ camera: String, id: Int) -> String {
        "veil-" + String(camera.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" }) + "-\(id)"
    }
}

extension OutputSpec {
    var kindName: String {
        switch self {
        case .rtp: "rtp"
        case .srtp: "srtp"
        case .record: "record"
        case .loopback: "loopback"
        }
    }
}

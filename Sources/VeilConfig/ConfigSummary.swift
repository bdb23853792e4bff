import VeilCore

extension VeilConfiguration {
    /// What the daemon would run, a few lines per camera: what `veil check-config` prints.
    public var summary: String {
        var lines = [
            "daemon: http \(daemon.http?.description ?? "off")\(daemon.httpTokenFile.map { " (token from \($0))" } ?? ""), log level \(daemon.logLevel.rawValue), "
                + "stability log \(daemon.stabilityLog ?? "off")",
            "anonymize: \(anonymize.mode.rawValue), donors \(anonymize.donors ?? "built-in"), "
                + "identity margin \(TableReader.text(anonymize.identityMargin)), on stall \(anonymize.onStall.rawValue), "
                + "consent \(anonymize.consent ?? "off")",
        ]
        for camera in cameras {
            let encoder = camera.encoder
            lines.append("camera \(camera.name): \(Redaction.source(camera.source)), \(camera.size)@\(camera.fps) \(camera.format.rawValue), "
                + "budget \(camera.budgetMs) ms\(camera.realtime ? "" : ", not realtime"), \(anonymize.mode.rawValue), "
                + "finds faces from \(camera.smallestFace) px wide; "
                + "\(encoder.codec) \(encoder.preset) \(encoder.bitrateKbps) kb/s, gop \(encoder.gop)")
            lines += camera.outputs.map { "  -> " + $0.summary }
        }
        return lines.joined(separator: "\n")
    }
}

extension VeilConfiguration.Camera {
    /// The smallest face the live detector finds on this camera (FaceSizePromise).
    public var smallestFace: Int {
        FaceSizePromise.smallestFace(pictureWidth: size.width, detectorWidth: FaceSizePromise.liveDetectorWidth(pictureWidth: size.width))
    }
}

extension VeilConfiguration.Output {
    var summary: String {
        switch self {
        case .rtp(let rtp):
            return "rtp \(rtp.address)" + (rtp.sdp.map { ", sdp \($0)" } ?? "")
        case .srtp(let srtp):
            return "srtp \(srtp.address)" + (srtp.sdp.map { ", sdp \($0)" } ?? "") + ", key \(srtp.keyFile)"
        case .record(let record):
            return "record \(record.path), \(record.container.rawValue) segments of \(record.segmentSeconds) s, "
                + "at most \(TableReader.text(record.maxTotalGB)) GB"
        case .loopback(let loopback):
            return "loopback \(loopback.device)"
        }
    }
}

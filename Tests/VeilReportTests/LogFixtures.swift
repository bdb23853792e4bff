import Foundation
@testable import VeilReport

/// Hand-written stability logs whose figures are known by heart.
enum LogFixtures {
    /// Two tracks over three frames: track 2 has an identity incident, then a second donor whose face
    /// shape replaces the subject's.
    static let faceLines = [
        #"{"donor":"a.png","frame":0,"handling":"swapped","identity_distance":0.7,"nme":0.02,"nme_dynamic":0,"pts":0,"shape_replaced":false,"time":0,"track":1}"#,
        #"{"frame":0,"handling":"covered","pts":0,"time":0,"track":2}"#,
        #"{"donor":"a.png","frame":1,"handling":"tracked","nme":0.03,"nme_dynamic":0.01,"pts":512,"shape_replaced":false,"time":0.5,"track":1}"#,
        #"{"donor":"b.png","frame":1,"handling":"swapped","identity_distance":0.5,"incident":"identity distance 0.500 < margin 0.6: escalated to next donor c.png","nme":0.01,"nme_dynamic":0.02,"pts":512,"shape_replaced":false,"time":0.5,"track":2}"#,
        #"{"donor":"a.png","frame":2,"handling":"swapped","identity_distance":0.8,"nme":0.04,"nme_dynamic":0.03,"pts":1024,"shape_replaced":false,"time":1,"track":1}"#,
        #"{"donor":"c.png","frame":2,"handling":"swapped","identity_distance":0.65,"nme":0.05,"nme_dynamic":0.04,"pts":1024,"shape_replaced":true,"time":1,"track":2}"#,
    ]
    static let summaryLine = #"{"faces":6,"frames":3,"frames_with_fallback_cover":1,"handling":"covered=1 swapped=4 tracked=1","identity_checks":4,"identity_distance_mean":0.6625,"identity_distance_min":0.5,"identity_incidents":1,"nme_dynamic_mean":0.02,"nme_dynamic_p95":0.04,"nme_mean":0.03,"nme_p95":0.05,"summary":true,"tracks":2}"#

    static var complete: String { (faceLines + [summaryLine]).joined(separator: "\n") + "\n" }

    static func log(_ text: String, path: String = "run.jsonl") throws -> StabilityLogFile {
        try StabilityLogFile(path: path, contents: Data(text.utf8))
    }

    static func report(_ text: String, identityMargin: Double = ReportSummary.defaultIdentityMargin) throws -> ReportSummary {
        ReportSummary(log: try log(text), identityMargin: identityMargin)
    }
}

import Prometheus

/// The names and help texts of everything `/metrics` shows. swift-prometheus stops the process when
/// one name is registered with two help texts, so each family is spelled out once, here, and both the
/// event sites (through `CameraMeters`) and the scrape's gauges name families from this list.
public struct MetricFamily: Sendable {
    public let name: String
    public let help: String

    public var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Every family, by name: how the registry finds the help text of a swift-metrics label.
    public static let byName: [String: MetricFamily] = Dictionary(uniqueKeysWithValues: [
        framesIn, framesOut, framesDropped, failClosed, secondOpinionPasses, recallIncidents, noPassInTime, ladder,
        placeholders, cameraLosses, cameraReconnects, cameraDriverDrops, faces, identityChecks, identityIncidents,
        outputPackets, outputBytes, outputErrors, outputDropped, stabilitySamples, proofSeconds, encoderFrames,
        encodeErrors, encoderDropped, online, outputPaused, secondsSinceProgress, identityDistanceMin, keypointNME,
        keypointMovementNME, keypointOKS, landmarkJitter, facesMeasured, identityPassRatio, latencyQuantile, latencyMax,
        latency,
    ].map { ($0.name, $0) })

    /// Upper bounds of the `veil_latency_seconds` histogram's buckets: around the 33 ms of a 30 fps frame
    /// and the default budget.
    public static let latencyBuckets: [Duration] = [
        5, 10, 15, 20, 25, 33, 50, 75, 100, 150, 250, 500, 1000,
    ].map { Duration.milliseconds($0) }

    // Counters: running totals since the camera's pipeline started.
    public static let framesIn = MetricFamily(name: "veil_frames_in_total", help: "Frames captured.")
    public static let framesOut = MetricFamily(name: "veil_frames_out_total", help: "Frames handed to the outputs.")
    public static let framesDropped = MetricFamily(
        name: "veil_frames_dropped_total", help: "Frames the capture ring dropped because processing had fallen behind.")
    public static let failClosed = MetricFamily(
        name: "veil_fail_closed_frames_total",
        help: "Frames covered whole (or dropped, per on_stall): no detection pass in time, a scene change, or anonymizing failed.")
    public static let secondOpinionPasses = MetricFamily(
        name: "veil_second_opinion_passes_total", help: "Frames the second face detector (dlib HOG) looked at, as the CPU allowed.")
    public static let recallIncidents = MetricFamily(
        name: "veil_recall_incidents_total",
        help: "Faces the second detector found that the main path had not handled: each covered at once.")
    public static let noPassInTime = MetricFamily(
        name: "veil_no_pass_in_time_frames_total",
        help: "Frames covered whole (or dropped) because no detection pass over them or a later frame could end before their deadline.")
    public static let ladder = MetricFamily(
        name: "veil_ladder_frames_total", help: "Frames that took a rung of the degrade ladder to meet their deadline.")
    public static let placeholders = MetricFamily(
        name: "veil_placeholder_frames_total", help: "Offline slates sent while the camera was gone.")
    public static let cameraLosses = MetricFamily(
        name: "veil_camera_losses_total",
        help: "Times the camera was lost: unplugged, failing, silent past source_timeout_ms, or its stream ended.")
    public static let cameraReconnects = MetricFamily(
        name: "veil_camera_reconnects_total", help: "Times the camera came back after a loss, or after missing at start.")
    public static let cameraDriverDrops = MetricFamily(
        name: "veil_camera_driver_dropped_frames_total",
        help: "Frames the camera's driver dropped before Veil read them (gaps in V4L2 sequence numbers).")
    public static let faces = MetricFamily(name: "veil_faces_total", help: "Faces de-identified, by how.")
    public static let identityChecks = MetricFamily(
        name: "veil_identity_checks_total", help: "Face-descriptor checks of an anonymized face against its subject.")
    public static let identityIncidents = MetricFamily(
        name: "veil_identity_incidents_total",
        help: "Identity checks whose distance fell below identity_margin.")
    public static let outputPackets = MetricFamily(
        name: "veil_output_packets_total", help: "Packets (frames, for recordings and loopback) an output wrote.")
    public static let outputBytes = MetricFamily(name: "veil_output_bytes_total", help: "Bytes an output wrote.")
    public static let outputErrors = MetricFamily(name: "veil_output_errors_total", help: "Write errors of an output.")
    public static let outputDropped = MetricFamily(
        name: "veil_output_dropped_total", help: "Packets an output dropped (paused or behind).")
    public static let stabilitySamples = MetricFamily(
        name: "veil_stability_samples_total",
        help: "Frames whose facial keypoints were found again on the anonymized output, as the budget allowed.")
    public static let proofSeconds = MetricFamily(
        name: "veil_proof_seconds_total",
        help: "Seconds spent proving the work: keypoint stability (on the frame path), identity checks (detector's thread).")
    public static let encoderFrames = MetricFamily(name: "veil_encoder_frames_total", help: "Frames encoded for the outputs.")
    public static let encodeErrors = MetricFamily(name: "veil_encode_errors_total", help: "Frames the encoder failed on.")
    public static let encoderDropped = MetricFamily(
        name: "veil_encoder_dropped_frames_total", help: "Frames the encoder's queue dropped before encoding.")

    // Gauges: the state at the scrape.
    public static let online = MetricFamily(
        name: "veil_camera_online", help: "1 while the camera delivers frames, 0 while its offline slate is sent.")
    public static let outputPaused = MetricFamily(name: "veil_output_paused", help: "1 while an output is paused.")
    public static let secondsSinceProgress = MetricFamily(
        name: "veil_seconds_since_progress", help: "Seconds since the pipeline last handed a frame on.")
    public static let identityDistanceMin = MetricFamily(
        name: "veil_identity_distance_min",
        help: "Smallest face-descriptor distance between a subject and its anonymized face so far.")
    public static let keypointNME = MetricFamily(
        name: "veil_keypoint_nme",
        help: "Mean landmark error between subject and anonymized output over the window, in inter-ocular distances.")
    public static let keypointMovementNME = MetricFamily(
        name: "veil_keypoint_nme_dynamic",
        help: "The same after removing each track's fixed shape offset: movement that was not kept.")
    public static let keypointOKS = MetricFamily(
        name: "veil_keypoint_oks", help: "Mean COCO-style keypoint similarity of subject and output over the window, 0 to 1.")
    public static let landmarkJitter = MetricFamily(
        name: "veil_landmark_jitter",
        help: "Mean frame-to-frame landmark movement over the window, in inter-ocular distances, on the input and the output.")
    public static let facesMeasured = MetricFamily(
        name: "veil_stability_faces", help: "Faces whose keypoints were measured on the output in the window.")
    public static let identityPassRatio = MetricFamily(
        name: "veil_identity_pass_ratio", help: "Identity checks in the window that kept at least identity_margin, of all.")
    public static let latencyQuantile = MetricFamily(
        name: "veil_latency_quantile_seconds",
        help: "Capture to hand-off latency quantiles since start, from the pipeline's own 0.1 ms histogram.")
    public static let latencyMax = MetricFamily(
        name: "veil_latency_max_seconds", help: "Longest capture to hand-off latency since start.")

    // Histogram: each frame recorded as it is handed off.
    public static let latency = MetricFamily(name: "veil_latency_seconds", help: "Capture to hand-off latency.")
}

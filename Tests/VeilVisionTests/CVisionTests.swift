import CVision
import Foundation
import VeilTestSupport
import XCTest

/// Tests of the C API over OpenCV DNN (CenterFace) and dlib (shape predictor, face descriptor) on the
/// real models and photos that scripts/setup.sh puts under data/. Images are decoded by the ffmpeg CLI.
final class CVisionTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func data(_ path: String) -> String { root.appendingPathComponent("data/" + path).path }

    static let astronaut = data("donor-sources/astronaut.png")       // 512x512, one face
    static let graceHopper = data("donor-sources/grace_hopper.jpg")  // 512x600, one face
    static let messi = data("subjects/messi5.jpg")            // 548x342, one clear face, a blurred crowd

    // Loading the models takes seconds, so each is loaded once for the whole class.
    static let detectorModel = data("models/centerface.onnx")
    static let predictorModel = data("models/shape_predictor_68_face_landmarks.dat")
    static let encoderModel = data("models/dlib_face_recognition_resnet_model_v1.dat")
    // C handles opened once for the class; XCTest runs its tests one at a time.
    nonisolated(unsafe) static let detector: OpaquePointer? = vision_detector_open(detectorModel, 2, nil, 0)
    nonisolated(unsafe) static let predictor: OpaquePointer? = vision_shape_open(predictorModel, nil, 0)
    nonisolated(unsafe) static let encoder: OpaquePointer? = vision_encoder_open(encoderModel, nil, 0)

    override func setUpWithError() throws {
        for model in [Self.detectorModel, Self.predictorModel, Self.encoderModel] {
            guard FileManager.default.fileExists(atPath: model) else {
                throw XCTSkip("\(model) is missing: run scripts/setup.sh")
            }
        }
    }

    // MARK: - Detector

    func testDetectorFindsOneFaceOnEachDonor() throws {
        let astronaut = try detect(Self.astronaut)
        XCTAssertEqual(astronaut.count, 1)
        try assertFace(astronaut.first, centre: (205...245, 95...140), width: 60...130)

        let grace = try detect(Self.graceHopper)
        XCTAssertEqual(grace.count, 1)
        try assertFace(grace.first, centre: (240...290, 205...260), width: 130...240)
    }

    func testDetectorFindsTheSmallFaceOnMessi() throws {
        let faces = try detect(Self.messi)
        XCTAssertGreaterThanOrEqual(faces.count, 1)
        try assertFace(faces.first, centre: (225...260, 95...130), width: 20...50)
    }

    /// OpenCV 4.6 corrupts a net's weights when its input size changes (batch-norm fusion is applied
    /// again); the detector must give the same answer on an image whatever ran before it.
    func testDetectorIsUnaffectedByEarlierInputSizes() throws {
        let first = try detect(Self.messi)
        _ = try detect(Self.astronaut)
        _ = try detect(Self.graceHopper)
        let again = try detect(Self.messi)
        XCTAssertEqual(first.count, again.count)
        for (a, b) in zip(first, again) {
            XCTAssertEqual(a.x0, b.x0, accuracy: 0.01)
            XCTAssertEqual(a.y1, b.y1, accuracy: 0.01)
            XCTAssertEqual(a.score, b.score, accuracy: 0.0001)
        }
    }

    func testDetectorRejectsBadInput() throws {
        let detector = try XCTUnwrap(Self.detector)
        var pixels = [UInt8](repeating: 0, count: 100 * 64 * 3)
        var out = [VisionDetection](repeating: VisionDetection(), count: 4)
        var err = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(vision_detector_run(detector, &pixels, 100, 64, 300, 0.5, &out, 4, &err, 256), -1)
        XCTAssertTrue(message(err).contains("multiples of 32"), message(err))
        XCTAssertEqual(vision_detector_run(nil, &pixels, 96, 64, 288, 0.5, &out, 4, &err, 256), -1)
        // A blank image is valid input with no face in it.
        XCTAssertEqual(vision_detector_run(detector, &pixels, 96, 64, 288, 0.5, &out, 4, &err, 256), 0)
    }

    // MARK: - Model loading

    func testMissingModelsFailWithTheirPath() {
        var err = [CChar](repeating: 0, count: 512)
        let missing = "/nonexistent/veil-model-\(getpid())"
        XCTAssertNil(vision_detector_open(missing + ".onnx", 0, &err, 512))
        XCTAssertTrue(message(err).contains(missing + ".onnx"), message(err))
        XCTAssertNil(vision_shape_open(missing + ".dat", &err, 512))
        XCTAssertTrue(message(err).contains(missing + ".dat"), message(err))
        XCTAssertNil(vision_encoder_open(missing + ".resnet", &err, 512))
        XCTAssertTrue(message(err).contains(missing + ".resnet"), message(err))
    }

    func testCorruptModelsFailWithoutThrowing() {
        // A PNG is neither an ONNX graph nor a dlib archive: each loader must answer NULL and one line.
        var err = [CChar](repeating: 0, count: 512)
        XCTAssertNil(vision_detector_open(Self.astronaut, 0, &err, 512))
        XCTAssertTrue(message(err).contains(Self.astronaut), message(err))
        XCTAssertFalse(message(err).contains("\n"))
        XCTAssertNil(vision_shape_open(Self.astronaut, &err, 512))
        XCTAssertTrue(message(err).contains(Self.astronaut), message(err))
        XCTAssertNil(vision_encoder_open(Self.astronaut, &err, 512))
        XCTAssertTrue(message(err).contains(Self.astronaut), message(err))
        // The wrong dlib model is refused too.
        XCTAssertNil(vision_shape_open(Self.data("models/dlib_face_recognition_resnet_model_v1.dat"), &err, 512))
        XCTAssertNil(vision_encoder_open(Self.data("models/shape_predictor_68_face_landmarks.dat"), &err, 512))
    }

    // MARK: - Shape predictor

    func testLandmarksLieOnTheFace() throws {
        for path in [Self.astronaut, Self.graceHopper, Self.messi] {
            let face = try XCTUnwrap(try detect(path).first, path)
            let gray = try decode(path, pixelFormat: "gray")
            let points = try landmarks(gray, face: face)
            XCTAssertEqual(points.count, 68)

            // Inside the detection box enlarged by a quarter of its size on each side.
            let w = face.x1 - face.x0, h = face.y1 - face.y0
            for p in points {
                let xs = (face.x0 - w / 4)...(face.x1 + w / 4), ys = (face.y0 - h / 4)...(face.y1 + h / 4)
                XCTAssertTrue(xs ~= p.x && ys ~= p.y, "\(path): \(p) outside \(face)")
            }
            // Every eye point (36...47) above every mouth point (48...67); nose tip (30) in between.
            let eyes = points[36...47].map(\.y), mouth = points[48...67].map(\.y)
            XCTAssertLessThan(eyes.max()!, mouth.min()!, path)
            XCTAssertTrue(eyes.max()! < points[30].y && points[30].y < mouth.min()!, path)
            // The subject's right eye (36...41) is on the image's left.
            XCTAssertLessThan(points[36...41].map(\.x).max()!, points[42...47].map(\.x).min()!, path)
        }
    }

    func testPredictorReadsRowsByStride() throws {
        let gray = try decode(Self.astronaut, pixelFormat: "gray")
        let face = try XCTUnwrap(try detect(Self.astronaut).first)
        let packed = try landmarks(gray, face: face)

        // The same picture with 29 bytes of junk after every row.
        let stride = gray.width + 29
        var padded = [UInt8](repeating: 0xA5, count: stride * gray.height)
        for row in 0..<gray.height {
            padded[(row * stride)..<(row * stride + gray.width)] =
                gray.pixels[(row * gray.width)..<((row + 1) * gray.width)]
        }
        let image = Image(pixels: padded, width: gray.width, height: gray.height, stride: stride)
        let strided = try landmarks(image, face: face)
        XCTAssertEqual(packed.map(\.x), strided.map(\.x))
        XCTAssertEqual(packed.map(\.y), strided.map(\.y))
    }

    func testPredictorRejectsDegenerateBoxes() throws {
        let predictor = try XCTUnwrap(Self.predictor)
        let gray = [UInt8](repeating: 128, count: 64 * 64)
        var out = [Float](repeating: 0, count: 136)
        for box: [Float] in [[10, 10, 10.2, 40], [.nan, 0, 30, 30], [0, 0, .infinity, 30]] {
            XCTAssertEqual(vision_shape_predict(predictor, gray, 64, 64, 64, box, 1, &out), -1, "\(box)")
        }
        XCTAssertEqual(vision_shape_predict(nil, gray, 64, 64, 64, [0, 0, 30, 30], 1, &out), -1)
        XCTAssertEqual(vision_shape_points(nil), -1)
    }

    func testBoxFromDetectionIsASquareOnTheFace() {
        var out = [Float](repeating: 0, count: 4)
        // Eyes at y 140, nose at 170, mouth corners at 195.
        let keypoints: [Float] = [130, 140, 170, 140, 150, 170, 135, 195, 165, 195]
        vision_shape_box_from_detection([100, 100, 200, 224], keypoints, &out)
        XCTAssertEqual(out[2] - out[0], out[3] - out[1], accuracy: 0.001)  // square
        XCTAssertEqual(out[2] - out[0], 106.95, accuracy: 0.01)            // a little wider than the detection
        XCTAssertEqual((out[0] + out[2]) / 2, 150, accuracy: 0.001)          // same horizontal centre
        XCTAssertEqual((out[1] + out[3]) / 2, 150 + 0.1336 * 100, accuracy: 0.01)  // below the eyes and nose
    }

    /// An open mouth drops the jaw and the mouth corners: the box stays where the eyes and nose are.
    func testBoxesStayPutWhenTheMouthOpens() {
        var closed = [Float](repeating: 0, count: 4), open = [Float](repeating: 0, count: 4)
        vision_shape_box_from_detection([100, 100, 200, 224], [130, 140, 170, 140, 150, 170, 135, 195, 165, 195], &closed)
        vision_shape_box_from_detection([100, 100, 200, 250], [130, 140, 170, 140, 150, 170, 135, 205, 165, 205], &open)
        XCTAssertEqual(open, closed)
        // Points spread over a face 100 px wide.
        var shape = [Float]()
        for i in 0..<68 { shape += [Float(100 + (i * 37) % 100), Float(100 + (i * 53) % 120)] }
        vision_shape_box_from_landmarks(shape, &closed)
        for i in Array(5...11) + Array(48...67) { shape[2 * i + 1] += 25 }  // the chin and both lips go down
        vision_shape_box_from_landmarks(shape, &open)
        XCTAssertEqual(open, closed)
    }

    /// A track re-runs the predictor from the box its last landmarks give: on a still image that loop
    /// must not walk away.
    func testPredictBoxPredictLoopDoesNotDrift() throws {
        for path in [Self.astronaut, Self.graceHopper] {
            let gray = try decode(path, pixelFormat: "gray")
            let first = try landmarks(gray, face: try XCTUnwrap(try detect(path).first))
            var current = first
            for _ in 0..<10 {
                var flat = current.flatMap { [$0.x, $0.y] }
                var box = [Float](repeating: 0, count: 4)
                vision_shape_box_from_landmarks(&flat, &box)
                current = try predict(gray, box: box)
            }
            let drift = zip(first, current).map { hypot($0.x - $1.x, $0.y - $1.y) }.reduce(0, +) / 68
            let eyeCorners = hypot(first[36].x - first[45].x, first[36].y - first[45].y)
            XCTAssertLessThan(drift, 0.05 * eyeCorners, "\(path): mean drift \(drift) px")
        }
    }

    // MARK: - Face descriptor

    func testDescriptorsSeparatePeopleAndMatchAcrossScales() throws {
        let astronaut = try descriptor(Self.astronaut)
        let astronautSmall = try descriptor(Self.astronaut, scale: "256:256")
        let grace = try descriptor(Self.graceHopper)
        let messi = try descriptor(Self.messi, scale: "1096:684")  // the face is ~30 px wide at full size

        XCTAssertLessThan(distance(astronaut, astronautSmall), 0.45)
        XCTAssertGreaterThan(distance(astronaut, grace), 0.6)
        XCTAssertGreaterThan(distance(astronaut, messi), 0.6)
        XCTAssertGreaterThan(distance(grace, messi), 0.6)
    }

    func testDescriptorRejectsBadInput() throws {
        let encoder = try XCTUnwrap(Self.encoder)
        var points = [Float](repeating: 10, count: 136)
        var out = [Float](repeating: 0, count: 128)
        var err = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(vision_encoder_describe(encoder, nil, 64, 64, 192, &points, &out, &err, 256), -1)
        XCTAssertFalse(message(err).isEmpty)
        var pixels = [UInt8](repeating: 0, count: 64 * 64 * 3)
        points[7] = .nan
        XCTAssertEqual(vision_encoder_describe(encoder, &pixels, 64, 64, 192, &points, &out, &err, 256), -1)
        XCTAssertTrue(message(err).contains("landmark 3"), message(err))
        XCTAssertEqual(vision_encoder_describe(nil, &pixels, 64, 64, 192, &points, &out, &err, 256), -1)
    }

    // MARK: - Helpers

    struct Image {
        var pixels: [UInt8]
        var width: Int
        var height: Int
        var stride: Int
    }

    /// Decodes an image with the ffmpeg CLI, optionally scaled ("W:H") and padded with black on the
    /// right and bottom to multiples of 32, which keeps coordinates unchanged.
    func decode(_ path: String, pixelFormat: String, scale: String? = nil, padTo32: Bool = false) throws -> Image {
        var filters: [String] = []
        if let scale { filters.append("scale=\(scale)") }
        if padTo32 { filters.append("pad=ceil(iw/32)*32:ceil(ih/32)*32:0:0:black") }
        let size = try Program.ffprobe(["-select_streams", "v:0", "-show_entries", "stream=width,height",
                                        "-of", "csv=p=0", path]).checked()
        var dims = size.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: ",").compactMap { Int($0) }
        XCTAssertEqual(dims.count, 2, "ffprobe \(path)")
        if let scale { dims = scale.split(separator: ":").compactMap { Int($0) } }
        if padTo32 { dims = dims.map { ($0 + 31) / 32 * 32 } }
        let channels = pixelFormat == "gray" ? 1 : 3
        var args = ["-i", path]
        if !filters.isEmpty { args += ["-vf", filters.joined(separator: ",")] }
        args += ["-f", "rawvideo", "-pix_fmt", pixelFormat, "-"]
        let pixels = [UInt8](try Program.ffmpeg(args).checked().output)
        XCTAssertEqual(pixels.count, dims[0] * dims[1] * channels, "decoded size of \(path)")
        return Image(pixels: pixels, width: dims[0], height: dims[1], stride: dims[0] * channels)
    }

    func detect(_ path: String, scale: String? = nil) throws -> [VisionDetection] {
        let detector = try XCTUnwrap(Self.detector, "detector did not load")
        var image = try decode(path, pixelFormat: "bgr24", scale: scale, padTo32: true)
        var out = [VisionDetection](repeating: VisionDetection(), count: 16)
        var err = [CChar](repeating: 0, count: 256)
        let n = vision_detector_run(detector, &image.pixels, Int32(image.width), Int32(image.height),
                                    Int32(image.stride), 0.5, &out, 16, &err, 256)
        XCTAssertGreaterThanOrEqual(n, 0, message(err))
        return Array(out.prefix(Int(max(n, 0))))
    }

    func assertFace(_ face: VisionDetection?, centre: (ClosedRange<Float>, ClosedRange<Float>),
                    width: ClosedRange<Float>, file: StaticString = #filePath, line: UInt = #line) throws {
        let face = try XCTUnwrap(face, file: file, line: line)
        let cx = (face.x0 + face.x1) / 2, cy = (face.y0 + face.y1) / 2
        XCTAssertTrue(centre.0 ~= cx && centre.1 ~= cy, "centre \(cx),\(cy)", file: file, line: line)
        XCTAssertTrue(width ~= face.x1 - face.x0, "width \(face.x1 - face.x0)", file: file, line: line)
        XCTAssertGreaterThan(face.score, 0.5, file: file, line: line)
        // CenterFace's five points: both eyes above the nose, the nose above both mouth corners.
        let p = withUnsafeBytes(of: face.landmarks) { Array($0.bindMemory(to: Float.self)) }
        XCTAssertTrue(max(p[1], p[3]) < p[5] && p[5] < min(p[7], p[9]), "\(p)", file: file, line: line)
        XCTAssertTrue(p[0] < p[2] && p[6] < p[8], "\(p)", file: file, line: line)
    }

    func predict(_ gray: Image, box: [Float]) throws -> [(x: Float, y: Float)] {
        let predictor = try XCTUnwrap(Self.predictor, "shape predictor did not load")
        XCTAssertEqual(vision_shape_points(predictor), 68)
        var out = [Float](repeating: 0, count: 136)
        let n = gray.pixels.withUnsafeBufferPointer {
            vision_shape_predict(predictor, $0.baseAddress, Int32(gray.width), Int32(gray.height), Int32(gray.stride),
                                 box, 1, &out)
        }
        XCTAssertEqual(n, 68)
        return (0..<68).map { (out[2 * $0], out[2 * $0 + 1]) }
    }

    func landmarks(_ gray: Image, face: VisionDetection) throws -> [(x: Float, y: Float)] {
        var box = [Float](repeating: 0, count: 4)
        let keypoints = withUnsafeBytes(of: face.landmarks) { Array($0.bindMemory(to: Float.self)) }
        vision_shape_box_from_detection([face.x0, face.y0, face.x1, face.y1], keypoints, &box)
        return try predict(gray, box: box)
    }

    func descriptor(_ path: String, scale: String? = nil) throws -> [Float] {
        let encoder = try XCTUnwrap(Self.encoder, "face descriptor model did not load")
        let face = try XCTUnwrap(try detect(path, scale: scale).first, path)
        let gray = try decode(path, pixelFormat: "gray", scale: scale)
        let points = try landmarks(gray, face: face).flatMap { [$0.x, $0.y] }
        var rgb = try decode(path, pixelFormat: "rgb24", scale: scale)
        var out = [Float](repeating: 0, count: 128)
        var err = [CChar](repeating: 0, count: 256)
        let rc = vision_encoder_describe(encoder, &rgb.pixels, Int32(rgb.width), Int32(rgb.height), Int32(rgb.stride),
                                         points, &out, &err, 256)
        XCTAssertEqual(rc, 0, message(err))
        return out
    }

    func distance(_ a: [Float], _ b: [Float]) -> Float {
        sqrt(zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +))
    }

    func message(_ err: [CChar]) -> String {
        err.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

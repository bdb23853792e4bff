/// Still images (PNG, JPEG: donor faces, test subjects), read through the same FFmpeg path as video:
/// libavformat's image demuxers hand one frame to the image's decoder.
public enum ImageFile {
    /// The image as an I420 picture, its size rounded down to even (the picture sizes Veil encodes).
    public static func load(path: String) throws -> Picture {
        do {
            // One frame: decoder threads would only cost their start-up.
            let reader = try VideoReader(path: path, decoderThreads: 1)
            let picture = Picture(width: reader.width, height: reader.height)
            guard try reader.read(into: picture, passthrough: { _ in }) else {
                throw MediaError.unreadable(path: path, kind: "image", reason: "it holds no picture")
            }
            return picture
        } catch let MediaError.unreadable(path, _, reason) {
            throw MediaError.unreadable(path: path, kind: "image", reason: reason)
        } catch MediaError.noVideoStream(let path) {
            throw MediaError.unreadable(path: path, kind: "image", reason: "it holds no picture")
        }
    }
}

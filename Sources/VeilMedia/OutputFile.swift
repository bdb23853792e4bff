import VeilCore
import CFFmpeg
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A container being written: owns the AVFormatContext, the file behind it and a packet for stream
/// copies. The file has a temporary name next to the final one until `commit()` renames it, so an
/// output path only ever holds a complete file; an output never committed is deleted.
final class OutputFile {
    static let containers = ["mp4", "mkv", "mov"]

    let path: String
    let temporaryPath: String
    let context: UnsafeMutablePointer<AVFormatContext>
    private let copyPacket: UnsafeMutablePointer<AVPacket>
    private var created = false
    private var committed = false

    init(path: String) throws {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        let dot = name.lastIndex(of: ".")
        let ext = dot.map { String(name[name.index(after: $0)...]) } ?? ""
        guard let dot, dot != name.startIndex, OutputFile.containers.contains(ext.lowercased()) else {
            throw MediaError.unsupportedContainer(path: path, extension: ext)
        }
        // Hidden, and named after the process, so that concurrent runs and leftovers of a killed one
        // never collide with a finished file.
        temporaryPath = AtomicFile.temporaryPath(for: path)
        // The muxer is chosen by the real path, whatever the temporary name looks like.
        guard let format = av_guess_format(nil, path, nil) else {
            throw MediaError.unsupportedContainer(path: path, extension: ext)
        }
        var allocated: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&allocated, format, nil, temporaryPath), "set up the muxer for", path)
        guard let context = allocated else { throw outOfMemory("write", path) }
        guard let packet = av_packet_alloc() else {
            avformat_free_context(context)
            throw outOfMemory("write", path)
        }
        self.path = path
        self.context = context
        copyPacket = packet
    }

    deinit {
        // Closing fails only where the file is deleted next anyway.
        if context.pointee.pb != nil { _ = avio_closep(&context.pointee.pb) }
        if created && !committed { unlink(temporaryPath) }
        var packet: UnsafeMutablePointer<AVPacket>? = copyPacket
        av_packet_free(&packet)
        avformat_free_context(context)
    }

    var needsGlobalHeader: Bool { context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 }

    /// The container's name for error messages, e.g. "mp4", "matroska".
    var containerName: String { String(cString: context.pointee.oformat.pointee.name) }

    func addStream() throws -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(context, nil) else { throw outOfMemory("add a stream to", path) }
        return stream
    }

    /// Creates the file and writes the container header, once every stream has been added.
    func open() throws {
        try check(avio_open(&context.pointee.pb, temporaryPath, AVIO_FLAG_WRITE), "write", path)
        created = true
        try check(avformat_write_header(context, nil), "write the header of", path)
    }

    /// Writes a packet whose timestamps are in its stream's time base; takes the packet's reference.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        try check(av_interleaved_write_frame(context, packet), "write", path)
    }

    /// Writes a new reference to `packet` (which stays the caller's) into `stream`, its timestamps
    /// moved from the input stream's time base to the output stream's.
    func writeCopy(of packet: UnsafePointer<AVPacket>, from timeBase: AVRational,
                   to stream: UnsafeMutablePointer<AVStream>) throws {
        try check(av_packet_ref(copyPacket, packet), "copy a packet into", path)
        av_packet_rescale_ts(copyPacket, timeBase, stream.pointee.time_base)
        copyPacket.pointee.stream_index = stream.pointee.index
        copyPacket.pointee.pos = -1
        try write(copyPacket)
    }

    /// Writes the trailer, closes the file and moves it onto `path`.
    func commit() throws {
        try check(av_write_trailer(context), "finish", path)
        try check(avio_closep(&context.pointee.pb), "finish", path)
        // The file is closed and committed either way: a failed rename has removed it.
        committed = true
        do {
            try AtomicFile.commit(temporaryPath, to: path)
        } catch {
            throw MediaError.failed(action: error.action, path: error.path, reason: error.reason)
        }
    }
}

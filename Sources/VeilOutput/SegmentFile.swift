import CFFmpeg
import Glibc

/// The file of one recording segment, with the AVIOContext the muxer writes through. Veil does the
/// writes itself (rather than FFmpeg's file protocol) to keep errno, which tells a full disk from
/// other failures, and to sync the file to disk.
final class SegmentFile {
    let path: String
    let io: UnsafeMutablePointer<AVIOContext>
    private let file: Descriptor

    static let bufferSize = 64 * 1024

    /// Creates the file; fails if it exists, so that a segment never overwrites another.
    init(creating path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw RecordingFailure(action: "create", path: path, code: errno) }
        let file = Descriptor(descriptor)
        guard let buffer = av_malloc(SegmentFile.bufferSize) else {
            unlink(path)
            throw RecordingFailure(action: "write", path: path, code: ENOMEM)
        }
        // Unretained: the context never outlives `file`, which this object owns and frees after it.
        let opaque = Unmanaged.passUnretained(file).toOpaque()
        guard let io = avio_alloc_context(buffer.assumingMemoryBound(to: UInt8.self), Int32(SegmentFile.bufferSize), 1,
                                          opaque, nil, segmentWrite, segmentSeek) else {
            var owned: UnsafeMutableRawPointer? = buffer
            av_freep(&owned)
            unlink(path)
            throw RecordingFailure(action: "write", path: path, code: ENOMEM)
        }
        self.path = path
        self.file = file
        self.io = io
    }

    deinit {
        // FFmpeg may have replaced the buffer since allocation: free the one it holds now.
        av_freep(&io.pointee.buffer)
        var owned: UnsafeMutablePointer<AVIOContext>? = io
        avio_context_free(&owned)
    }

    /// Hands buffered bytes to the kernel, then throws if any write so far failed.
    func flush() throws {
        avio_flush(io)
        try checkFailure()
    }

    func checkFailure() throws {
        if file.failure != 0 { throw RecordingFailure(action: "write", path: path, code: file.failure) }
    }

    /// Asks the kernel to put the data on disk: what survives a power cut, not just a killed process.
    func sync() throws {
        guard fdatasync(file.descriptor) == 0 else { throw RecordingFailure(action: "sync", path: path, code: errno) }
    }
}

/// The open file the AVIOContext's callbacks write to, and the errno of its first failure (the
/// muxer's own error codes lose it).
private final class Descriptor {
    let descriptor: Int32
    var failure: Int32 = 0

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    func write(_ bytes: UnsafePointer<UInt8>, count: Int) -> Int32 {
        if failure != 0 { return veil_averror(failure) }
        var done = 0
        while done < count {
            let n = Glibc.write(descriptor, bytes + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return veil_averror(failure)
            }
            done += n
        }
        return Int32(count)
    }

    func seek(_ offset: Int64, whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 {
            var info = stat()
            return fstat(descriptor, &info) == 0 ? Int64(info.st_size) : Int64(veil_averror(errno))
        }
        let position = lseek(descriptor, off_t(offset), whence & ~AVSEEK_FORCE)
        if position < 0 {
            failure = errno
            return Int64(veil_averror(failure))
        }
        return Int64(position)
    }
}

private func segmentWrite(_ opaque: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int32) -> Int32 {
    guard let opaque, let buffer else { return veil_averror(EINVAL) }
    return Unmanaged<Descriptor>.fromOpaque(opaque).takeUnretainedValue().write(buffer, count: Int(size))
}

private func segmentSeek(_ opaque: UnsafeMutableRawPointer?, _ offset: Int64, _ whence: Int32) -> Int64 {
    guard let opaque else { return Int64(veil_averror(EINVAL)) }
    return Unmanaged<Descriptor>.fromOpaque(opaque).takeUnretainedValue().seek(offset, whence: whence)
}

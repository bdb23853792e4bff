import CFFmpeg

extension Picture {
    /// Points `frame`, a header without buffers of its own, at this picture's planes: how encoders and
    /// swscale are handed an I420 picture without a copy. The picture must outlive that use.
    public func present(in frame: UnsafeMutablePointer<AVFrame>) {
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.data.0 = y.base
        frame.pointee.data.1 = u.base
        frame.pointee.data.2 = v.base
        frame.pointee.linesize.0 = Int32(y.stride)
        frame.pointee.linesize.1 = Int32(u.stride)
        frame.pointee.linesize.2 = Int32(v.stride)
    }
}

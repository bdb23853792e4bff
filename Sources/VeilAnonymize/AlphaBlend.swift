/// Blends a source row into a destination row under an 8-bit alpha:
/// out = (src·a + dst·(255 − a) + 127) / 255, exactly, for every sample.
///
/// The vector path works on 32 bytes at a time as SIMD16<UInt16> lanes holding byte pairs (SWAR):
/// even bytes are `lane & 0xFF`, odd bytes `lane >> 8`. That avoids widening UInt8 vectors to UInt16,
/// which Swift compiles to slow out-of-line conversions. Products fit in 16 bits (255·255 + 255·0 +
/// 128 < 65536) and the division by 255 is the exact shift form: (t + (t >> 8)) >> 8 with t = x + 128
/// equals (x + 127) / 255 for every x up to 255·255. It needs only SSE2, the x86-64 baseline, so the
/// binary runs on any x86-64 machine without run-time dispatch.
public enum AlphaBlend {
    public static func blend(source: UnsafePointer<UInt8>, alpha: UnsafePointer<UInt8>,
                             into destination: UnsafeMutablePointer<UInt8>, count: Int) {
        typealias Lanes = SIMD16<UInt16>
        let low = Lanes(repeating: 0x00FF)
        var i = 0
        while i + 32 <= count {
            let s = UnsafeRawPointer(source + i).loadUnaligned(as: Lanes.self)
            let a = UnsafeRawPointer(alpha + i).loadUnaligned(as: Lanes.self)
            let d = UnsafeRawPointer(destination + i).loadUnaligned(as: Lanes.self)
            let even = mix(s & low, d & low, a & low)
            let odd = mix(s &>> 8, d &>> 8, a &>> 8)
            UnsafeMutableRawPointer(destination + i).storeBytes(of: even | (odd &<< 8), as: Lanes.self)
            i += 32
        }
        while i < count {
            destination[i] = blendSample(source[i], destination[i], alpha[i])
            i += 1
        }
    }

    /// The scalar definition the vector path must equal byte for byte.
    @inline(__always) public static func blendSample(_ source: UInt8, _ destination: UInt8, _ alpha: UInt8) -> UInt8 {
        let a = UInt32(alpha)
        return UInt8((UInt32(source) * a + UInt32(destination) * (255 - a) + 127) / 255)
    }

    @inline(__always) private static func mix(_ s: SIMD16<UInt16>, _ d: SIMD16<UInt16>, _ a: SIMD16<UInt16>) -> SIMD16<UInt16> {
        let t = s &* a &+ d &* (255 &- a) &+ 128
        return (t &+ (t &>> 8)) &>> 8
    }
}

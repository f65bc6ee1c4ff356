import SigflowCore

/// What an Interface Description Block says about the packets of one pcapng interface.
struct PcapngInterface {
    var linkType: LinkType
    /// 0 when the writer set no limit.
    var snaplen: Int
    var units: TimestampUnits
    /// `if_tsoffset`: seconds to add to every timestamp, in nanoseconds.
    var offset: Int64
    /// The interface's compiled capture filter in `LinkTypeFilters`, when there is a filter.
    var filter: Int?

    /// How timestamp ticks become nanoseconds, worked out once per interface from `if_tsresol`.
    enum TimestampUnits: Equatable {
        /// 10^-k seconds for k up to 9: multiply.
        case multiply(Int64)
        /// 10^-k seconds for k from 10 to 19: divide.
        case divide(UInt64)
        /// 2^-k seconds.
        case binary(shift: Int)

        static let microseconds = TimestampUnits.multiply(1000)

        /// The units an `if_tsresol` byte names, or nil when no 64-bit tick count can hold them.
        init?(resolution: UInt8) {
            let exponent = Int(resolution & 0x7f)
            if resolution & 0x80 != 0 {
                guard exponent < 64 else { return nil }
                self = .binary(shift: exponent)
            } else if exponent <= 9 {
                self = .multiply((0..<(9 - exponent)).reduce(1) { value, _ in value * 10 })
            } else if exponent <= 19 {
                self = .divide((0..<(exponent - 9)).reduce(1) { value, _ in value * 10 })
            } else {
                return nil
            }
        }
    }

    /// The time of a packet whose timestamp is `ticks` units since the epoch (plus the offset).
    @inline(__always)
    func time(ofTicks ticks: UInt64) -> CaptureTime {
        let nanoseconds: Int64
        switch units {
        case .multiply(let factor):
            nanoseconds = Int64(bitPattern: ticks) &* factor
        case .divide(let divisor):
            nanoseconds = Int64(bitPattern: ticks / divisor)
        case .binary(let shift):
            guard shift > 0 else {
                nanoseconds = Int64(bitPattern: ticks) &* 1_000_000_000
                break
            }
            let fraction = (ticks & (UInt64.max >> (64 - shift))).multipliedFullWidth(by: 1_000_000_000)
            let fractionNanoseconds = fraction.high << (64 - shift) | fraction.low >> shift
            nanoseconds =
                Int64(bitPattern: ticks >> shift) &* 1_000_000_000 &+ Int64(bitPattern: fractionNanoseconds)
        }
        return CaptureTime(nanoseconds: nanoseconds &+ offset)
    }
}

/// The options of a pcapng block (after its fixed part), in the section's byte order.
struct PcapngOptions: Sequence, IteratorProtocol {
    private var bytes: UnsafeRawBufferPointer
    private let bigEndian: Bool

    init(_ bytes: UnsafeRawBufferPointer, bigEndian: Bool) {
        self.bytes = bytes
        self.bigEndian = bigEndian
    }

    /// The next option's code and value; nil at `opt_endofopt` or where the options stop making sense
    /// (a value running past the block ends them: the packets matter more than their annotations).
    mutating func next() -> (code: UInt16, value: UnsafeRawBufferPointer)? {
        guard bytes.count >= 4 else { return nil }
        let code = PcapngOrder.uint16(bytes, at: 0, bigEndian: bigEndian)
        let length = Int(PcapngOrder.uint16(bytes, at: 2, bigEndian: bigEndian))
        guard code != 0, 4 + length <= bytes.count else { return nil }
        let value = UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + length)])
        bytes = UnsafeRawBufferPointer(rebasing: bytes[Swift.min(bytes.count, 4 + (length + 3) & ~3)...])
        return (code, value)
    }
}

/// Integers in a pcapng section's byte order.
enum PcapngOrder {
    @inline(__always)
    static func uint16(_ bytes: UnsafeRawBufferPointer, at offset: Int, bigEndian: Bool) -> UInt16 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    @inline(__always)
    static func uint32(_ bytes: UnsafeRawBufferPointer, at offset: Int, bigEndian: Bool) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    @inline(__always)
    static func uint64(_ bytes: UnsafeRawBufferPointer, at offset: Int, bigEndian: Bool) -> UInt64 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }
}

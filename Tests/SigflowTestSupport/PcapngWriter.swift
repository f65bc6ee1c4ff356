import SigflowCore

/// Writes little-endian pcapng: one section header, interface descriptions and enhanced packet blocks,
/// plus any raw block a hostile case needs.
public struct PcapngWriter {
    public private(set) var bytes: [UInt8] = []
    /// Nanoseconds per timestamp unit, per interface (if_tsresol), in the order they were added.
    private var resolutions: [Int64] = []

    public init() {
        var body: [UInt8] = []
        body += UInt32(0x1a2b_3c4d).littleEndianBytes  // byte-order magic
        body += UInt16(1).littleEndianBytes
        body += UInt16(0).littleEndianBytes
        body += UInt64.max.littleEndianBytes  // section length unknown
        appendBlock(type: 0x0a0d_0d0a, body: body)
    }

    /// Adds an interface description; returns its interface id. `nanoseconds` picks if_tsresol 9,
    /// otherwise the default microseconds.
    @discardableResult
    public mutating func addInterface(linkType: Int32, snaplen: Int = 262_144, nanoseconds: Bool = false) -> Int {
        var body: [UInt8] = []
        body += UInt16(truncatingIfNeeded: linkType).littleEndianBytes
        body += UInt16(0).littleEndianBytes
        body += UInt32(truncatingIfNeeded: snaplen).littleEndianBytes
        if nanoseconds {
            body += UInt16(9).littleEndianBytes + UInt16(1).littleEndianBytes + [9, 0, 0, 0]
            body += [0, 0, 0, 0]  // opt_endofopt
        }
        appendBlock(type: 1, body: body)
        resolutions.append(nanoseconds ? 1 : 1000)
        return resolutions.count - 1
    }

    /// Adds an enhanced packet block for `frame` on `interface`.
    public mutating func add(_ frame: [UInt8], at time: CaptureTime, interface: Int = 0) {
        let ticks = UInt64(time.nanoseconds / resolutions[interface])
        var body: [UInt8] = []
        body += UInt32(interface).littleEndianBytes
        body += UInt32(truncatingIfNeeded: ticks >> 32).littleEndianBytes
        body += UInt32(truncatingIfNeeded: ticks).littleEndianBytes
        body += UInt32(frame.count).littleEndianBytes
        body += UInt32(frame.count).littleEndianBytes
        body += frame
        body += [UInt8](repeating: 0, count: (4 - frame.count % 4) % 4)
        appendBlock(type: 6, body: body)
    }

    /// Appends a block of any type with a correct length framing around `body` (padded to 4 bytes).
    public mutating func appendBlock(type: UInt32, body: [UInt8]) {
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let total = UInt32(12 + padded.count)
        bytes += type.littleEndianBytes + total.littleEndianBytes + padded + total.littleEndianBytes
    }

    /// Appends raw bytes (a block with a broken length, garbage, ...).
    public mutating func appendRaw(_ raw: [UInt8]) {
        bytes += raw
    }
}

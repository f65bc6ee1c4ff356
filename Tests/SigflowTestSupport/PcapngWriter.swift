import SigflowCore

/// Writes pcapng in either byte order: section headers, interface descriptions (with `if_tsresol`
/// and `if_tsoffset`), enhanced, simple and obsolete packet blocks, decryption secrets, plus any raw
/// block a hostile case needs.
public struct PcapngWriter {
    public private(set) var bytes: [UInt8] = []
    /// Ticks per second and offset in seconds, per interface of the current section, in the order added.
    private var clocks: [(ticksPerSecond: UInt64, offset: Int64)] = []
    private var bigEndian: Bool

    /// Starts the file with a section header.
    public init(bigEndian: Bool = false) {
        self.bigEndian = bigEndian
        addSection(bigEndian: bigEndian)
    }

    private func encode<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        bigEndian ? value.bigEndianBytes : value.littleEndianBytes
    }

    /// Starts a new section (interface ids count from 0 again), in its own byte order.
    public mutating func addSection(bigEndian: Bool = false) {
        self.bigEndian = bigEndian
        clocks = []
        var body: [UInt8] = []
        body += encode(UInt32(0x1a2b_3c4d))  // byte-order magic
        body += encode(UInt16(1))
        body += encode(UInt16(0))
        body += encode(UInt64.max)  // section length unknown
        appendBlock(type: 0x0a0d_0d0a, body: body)
    }

    /// Adds an interface description; returns its interface id. `nanoseconds` picks if_tsresol 9;
    /// `resolution` gives any if_tsresol byte (bit 7 set: a power of two); otherwise microseconds.
    @discardableResult
    public mutating func addInterface(
        linkType: Int32, snaplen: Int = 262_144, nanoseconds: Bool = false, resolution: UInt8? = nil,
        offsetSeconds: Int64 = 0
    ) -> Int {
        var body: [UInt8] = []
        body += encode(UInt16(truncatingIfNeeded: linkType))
        body += encode(UInt16(0))
        body += encode(UInt32(truncatingIfNeeded: snaplen))
        let resolution = resolution ?? (nanoseconds ? 9 : nil)
        var options: [UInt8] = []
        if let resolution { options += encode(UInt16(9)) + encode(UInt16(1)) + [resolution, 0, 0, 0] }
        if offsetSeconds != 0 { options += encode(UInt16(14)) + encode(UInt16(8)) + encode(offsetSeconds) }
        if !options.isEmpty { body += options + [0, 0, 0, 0] }  // opt_endofopt
        appendBlock(type: 1, body: body)
        let exponent = UInt64((resolution ?? 6) & 0x7f)
        let ticks =
            (resolution ?? 6) & 0x80 != 0
            ? UInt64(1) << exponent : (0..<exponent).reduce(UInt64(1)) { value, _ in value * 10 }
        clocks.append((ticks, offsetSeconds))
        return clocks.count - 1
    }

    /// The timestamp ticks of `time` on `interface` (exact when the resolution divides it).
    private func ticks(_ time: CaptureTime, interface: Int) -> UInt64 {
        let clock = clocks[interface]
        let nanoseconds = UInt64(time.nanoseconds - clock.offset * 1_000_000_000)
        let product = (nanoseconds % 1_000_000_000).multipliedFullWidth(by: clock.ticksPerSecond)
        return nanoseconds / 1_000_000_000 * clock.ticksPerSecond
            + (1_000_000_000 as UInt64).dividingFullWidth((product.high, product.low)).quotient
    }

    /// Adds an enhanced packet block for `frame` on `interface`.
    public mutating func add(_ frame: [UInt8], at time: CaptureTime, interface: Int = 0, originalLength: Int? = nil) {
        let ticks = ticks(time, interface: interface)
        var body: [UInt8] = []
        body += encode(UInt32(interface))
        body += encode(UInt32(truncatingIfNeeded: ticks >> 32))
        body += encode(UInt32(truncatingIfNeeded: ticks))
        body += encode(UInt32(frame.count))
        body += encode(UInt32(originalLength ?? frame.count))
        body += frame
        appendBlock(type: 6, body: body)
    }

    /// Adds a simple packet block (interface 0, no timestamp).
    public mutating func addSimple(_ frame: [UInt8], originalLength: Int? = nil) {
        appendBlock(type: 3, body: encode(UInt32(originalLength ?? frame.count)) + frame)
    }

    /// Adds an obsolete packet block (pcapng drafts before the enhanced one).
    public mutating func addObsolete(_ frame: [UInt8], at time: CaptureTime, interface: Int = 0) {
        let ticks = ticks(time, interface: interface)
        var body = encode(UInt16(interface)) + encode(UInt16(0))
        body += encode(UInt32(truncatingIfNeeded: ticks >> 32)) + encode(UInt32(truncatingIfNeeded: ticks))
        body += encode(UInt32(frame.count)) + encode(UInt32(frame.count)) + frame
        appendBlock(type: 2, body: body)
    }

    /// Adds a decryption secrets block.
    public mutating func addSecrets(type: UInt32, _ secrets: [UInt8]) {
        appendBlock(type: 0x0a, body: encode(type) + encode(UInt32(secrets.count)) + secrets)
    }

    /// Appends a block of any type with a correct length framing around `body` (padded to 4 bytes).
    public mutating func appendBlock(type: UInt32, body: [UInt8]) {
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let total = UInt32(12 + padded.count)
        bytes += encode(type) + encode(total) + padded + encode(total)
    }

    /// Appends raw bytes (a block with a broken length, garbage, ...).
    public mutating func appendRaw(_ raw: [UInt8]) {
        bytes += raw
    }
}

extension PcapngWriter {
    /// The packets of a little-endian classic pcap (as `PcapWriter` writes by default) as pcapng: one
    /// interface of the file's link type and snap length, at its timestamp resolution.
    public init(convertingPcap pcap: [UInt8]) {
        func uint32(_ offset: Int) -> Int {
            (0..<4).reduce(0) { value, index in value | Int(pcap[offset + index]) << (8 * index) }
        }
        let nanoseconds = uint32(0) == 0xa1b2_3c4d
        self.init()
        addInterface(linkType: Int32(uint32(20)), snaplen: uint32(16), nanoseconds: nanoseconds)
        var offset = 24
        while offset + 16 <= pcap.count {
            let captured = uint32(offset + 8)
            let fraction = Int64(uint32(offset + 4)) * (nanoseconds ? 1 : 1000)
            let time = CaptureTime(seconds: Int64(uint32(offset)), nanoseconds: fraction)
            add(
                Array(pcap[(offset + 16)..<(offset + 16 + captured)]), at: time,
                originalLength: uint32(offset + 12))
            offset += 16 + captured
        }
    }
}

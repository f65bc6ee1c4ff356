import SigflowCore

/// Writes classic pcap files (libpcap's savefile format) byte for byte, so tests can build exactly the
/// capture a case needs: any link type, snapshot length, microsecond or nanosecond magic, either byte
/// order, and deliberately broken records.
///
/// Records longer than `snaplen` are cut to it, as a capturing tool would: `caplen` is the kept length,
/// `len` the frame's length on the wire.
public struct PcapWriter {
    public enum Precision: Sendable {
        case microseconds
        case nanoseconds
    }

    public let linkType: Int32
    public let snaplen: Int
    public let precision: Precision
    public let bigEndian: Bool
    public private(set) var bytes: [UInt8] = []
    public private(set) var recordCount = 0

    /// - Parameters:
    ///   - linkType: the LINKTYPE_* value written in the file header (1 Ethernet, 101 raw IP, 113 SLL, ...).
    ///   - snaplen: the snapshot length in the header; frames longer than this are cut.
    public init(linkType: Int32, snaplen: Int = 262_144, precision: Precision = .microseconds, bigEndian: Bool = false)
    {
        self.linkType = linkType
        self.snaplen = snaplen
        self.precision = precision
        self.bigEndian = bigEndian
        let magic: UInt32 = precision == .microseconds ? 0xa1b2_c3d4 : 0xa1b2_3c4d
        put32(magic)
        put16(2)
        put16(4)
        put32(0)  // thiszone
        put32(0)  // sigfigs
        put32(UInt32(truncatingIfNeeded: snaplen))
        put32(UInt32(bitPattern: linkType))
    }

    public init(
        linkType: LinkType, snaplen: Int = 262_144, precision: Precision = .microseconds, bigEndian: Bool = false
    ) {
        self.init(linkType: linkType.rawValue, snaplen: snaplen, precision: precision, bigEndian: bigEndian)
    }

    /// Appends one frame captured at `time`, cut to the snapshot length.
    public mutating func add(_ frame: [UInt8], at time: CaptureTime) {
        let kept = Array(frame.prefix(snaplen))
        addRecord(kept, capturedLength: kept.count, originalLength: frame.count, at: time)
    }

    /// Appends a record exactly as given: the header says `capturedLength` / `originalLength`, whatever
    /// `data` holds. For hostile files (caplen over snaplen, caplen larger than the data, ...).
    public mutating func addRecord(_ data: [UInt8], capturedLength: Int, originalLength: Int, at time: CaptureTime) {
        let seconds = time.nanoseconds / 1_000_000_000
        let fraction = time.nanoseconds % 1_000_000_000
        put32(UInt32(truncatingIfNeeded: seconds))
        put32(UInt32(truncatingIfNeeded: precision == .microseconds ? fraction / 1000 : fraction))
        put32(UInt32(truncatingIfNeeded: capturedLength))
        put32(UInt32(truncatingIfNeeded: originalLength))
        bytes += data
        recordCount += 1
    }

    /// Appends raw bytes after the last record (garbage, a partial record header, ...).
    public mutating func appendRaw(_ raw: [UInt8]) {
        bytes += raw
    }

    private mutating func put16(_ value: UInt16) {
        bytes += bigEndian ? value.bigEndianBytes : value.littleEndianBytes
    }

    private mutating func put32(_ value: UInt32) {
        bytes += bigEndian ? value.bigEndianBytes : value.littleEndianBytes
    }
}

extension FixedWidthInteger {
    /// The integer's bytes, most significant first.
    public var bigEndianBytes: [UInt8] {
        (0..<(Self.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) }
    }

    /// The integer's bytes, least significant first.
    public var littleEndianBytes: [UInt8] {
        (0..<(Self.bitWidth / 8)).map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) }
    }
}

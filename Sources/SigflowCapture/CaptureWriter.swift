import SigflowCore

/// Writes frames as a capture file, byte for byte as they were read and with their nanosecond
/// times: classic pcap (one link type) or pcapng (an interface per link type). The bytes are handed
/// to `emit` as they are made, a frame at a time.
public struct CaptureWriter {
    public enum Format: Sendable {
        case pcap, pcapng
    }

    public enum WriteError: Error, Equatable, CustomStringConvertible {
        /// Classic pcap holds one link type; these frames have several.
        case severalLinkTypes(LinkType, LinkType)

        public var description: String {
            switch self {
            case .severalLinkTypes(let first, let other):
                return "the frames have several link types (\(first.rawValue) and \(other.rawValue)): "
                    + "write pcapng (name the output .pcapng)"
            }
        }
    }

    public let format: Format
    /// pcap: the one link type, once the header is written. pcapng: each link type's interface id.
    private var interfaces: [LinkType: UInt32] = [:]
    public private(set) var frames = 0
    static let snapshotLength: UInt32 = 262_144

    public init(format: Format) {
        self.format = format
    }

    public mutating func write(_ packet: CapturedPacket, emit: ([UInt8]) -> Void) throws(WriteError) {
        if frames == 0 && format == .pcapng { emit(Self.sectionHeader()) }
        let linkType = Self.fileLinkType(packet.linkType)
        let bytes = Array(packet.bytes)
        let nanoseconds = UInt64(bitPattern: packet.stamp.time.nanoseconds)
        var record: [UInt8] = []
        switch format {
        case .pcap:
            if let (written, _) = interfaces.first {
                guard written == linkType else { throw .severalLinkTypes(written, linkType) }
            } else {
                interfaces[linkType] = 0
                emit(Self.pcapHeader(linkType))
            }
            put32(&record, UInt32(truncatingIfNeeded: nanoseconds / 1_000_000_000))
            put32(&record, UInt32(truncatingIfNeeded: nanoseconds % 1_000_000_000))
            put32(&record, UInt32(bytes.count))
            put32(&record, UInt32(clamping: packet.originalLength))
            record += bytes
        case .pcapng:
            let interface: UInt32
            if let known = interfaces[linkType] {
                interface = known
            } else {
                interface = UInt32(interfaces.count)
                interfaces[linkType] = interface
                emit(Self.interfaceDescription(linkType))
            }
            let padded = (bytes.count + 3) & ~3
            let length = UInt32(32 + padded)
            put32(&record, 6)
            put32(&record, length)
            put32(&record, interface)
            put32(&record, UInt32(truncatingIfNeeded: nanoseconds >> 32))
            put32(&record, UInt32(truncatingIfNeeded: nanoseconds))
            put32(&record, UInt32(bytes.count))
            put32(&record, UInt32(clamping: packet.originalLength))
            record += bytes
            record += [UInt8](repeating: 0, count: padded - bytes.count)
            put32(&record, length)
        }
        frames += 1
        emit(record)
    }

    /// Ends the file: one with no frame still gets its header (pcap: as `linkType`), so every
    /// file written is a capture a reader opens.
    public mutating func finish(linkType: LinkType = .ethernet, emit: ([UInt8]) -> Void) {
        guard frames == 0 else { return }
        emit(format == .pcapng ? Self.sectionHeader() : Self.pcapHeader(Self.fileLinkType(linkType)))
    }

    /// A link type as capture files number it: libpcap reports raw IP as DLT 12 or 14 on some
    /// systems, which files write as LINKTYPE_RAW (101).
    static func fileLinkType(_ linkType: LinkType) -> LinkType {
        linkType == .rawBSD12 || linkType == .rawBSD14 ? .raw : linkType
    }

    /// Nanosecond pcap (magic a1b23c4d), little-endian.
    static func pcapHeader(_ linkType: LinkType) -> [UInt8] {
        var header: [UInt8] = []
        put32(&header, 0xa1b2_3c4d)
        put16(&header, 2)
        put16(&header, 4)
        put32(&header, 0)
        put32(&header, 0)
        put32(&header, snapshotLength)
        put32(&header, UInt32(bitPattern: linkType.rawValue))
        return header
    }

    /// A section header block: little-endian, version 1.0, section length unknown.
    static func sectionHeader() -> [UInt8] {
        var block: [UInt8] = []
        put32(&block, 0x0A0D_0D0A)
        put32(&block, 28)
        put32(&block, 0x1A2B_3C4D)
        put16(&block, 1)
        put16(&block, 0)
        put32(&block, 0xFFFF_FFFF)
        put32(&block, 0xFFFF_FFFF)
        put32(&block, 28)
        return block
    }

    /// An interface description block with nanosecond times (`if_tsresol` 9).
    static func interfaceDescription(_ linkType: LinkType) -> [UInt8] {
        var block: [UInt8] = []
        put32(&block, 1)
        put32(&block, 32)
        put16(&block, UInt16(truncatingIfNeeded: linkType.rawValue))
        put16(&block, 0)
        put32(&block, snapshotLength)
        put16(&block, 9)
        put16(&block, 1)
        block += [9, 0, 0, 0]
        put32(&block, 0)
        put32(&block, 32)
        return block
    }
}

private func put16(_ bytes: inout [UInt8], _ value: UInt16) {
    bytes += [UInt8(value & 0xff), UInt8(value >> 8)]
}

private func put32(_ bytes: inout [UInt8], _ value: UInt32) {
    bytes += [UInt8(value & 0xff), UInt8((value >> 8) & 0xff), UInt8((value >> 16) & 0xff), UInt8(value >> 24)]
}

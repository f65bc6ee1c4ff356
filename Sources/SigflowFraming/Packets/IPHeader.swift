import SigflowCore

/// The fixed facts of one IPv4 or IPv6 header, with its payload (after any IPv6 extension headers).
struct IPHeader {
    var source: IPAddress
    var destination: IPAddress
    /// The upper-layer protocol number (after IPv6 extension headers).
    var nextProtocol: UInt8
    var payload: UnsafeRawBufferPointer
    /// Payload bytes the header announces but the capture does not hold (snapshot length).
    var missingPayloadBytes: Int
    var fragment: Fragment?

    struct Fragment {
        var identification: UInt32
        /// Offset of this fragment's payload in the original datagram, in bytes.
        var offset: Int
        var moreFragments: Bool
    }

    static let protocolIPv4InIP: UInt8 = 4
    static let protocolTCP: UInt8 = 6
    static let protocolUDP: UInt8 = 17
    static let protocolIPv6InIP: UInt8 = 41
    static let protocolGRE: UInt8 = 47
    static let protocolESP: UInt8 = 50
    static let protocolSCTP: UInt8 = 132

    /// Parses an IPv4 header; nil when the bytes cannot be one.
    @inline(__always)
    static func parseIPv4(_ bytes: UnsafeRawBufferPointer) -> IPHeader? {
        guard bytes.count >= 20 else { return nil }
        let versionAndLength = bytes.uint8(at: 0)
        let headerLength = Int(versionAndLength & 0x0f) * 4
        guard versionAndLength >> 4 == 4, headerLength >= 20, bytes.count >= headerLength else { return nil }
        var totalLength = Int(bytes.uint16(at: 2))
        // TCP segmentation offload writes 0 here on captures taken on the sending host.
        if totalLength == 0 { totalLength = bytes.count }
        guard totalLength >= headerLength else { return nil }
        let flagsAndOffset = bytes.uint16(at: 6)
        let moreFragments = flagsAndOffset & 0x2000 != 0
        let offset = Int(flagsAndOffset & 0x1fff) * 8
        let fragment =
            (moreFragments || offset != 0)
            ? Fragment(identification: UInt32(bytes.uint16(at: 4)), offset: offset, moreFragments: moreFragments)
            : nil
        return IPHeader(
            source: .v4(bytes.uint32(at: 12)),
            destination: .v4(bytes.uint32(at: 16)),
            nextProtocol: bytes.uint8(at: 9),
            payload: bytes.slice(from: headerLength, to: totalLength),
            missingPayloadBytes: max(0, totalLength - bytes.count),
            fragment: fragment)
    }

    /// Parses an IPv6 header and walks its extension headers up to the upper-layer protocol (or up to
    /// a fragment header, whose payload only makes sense once reassembled).
    static func parseIPv6(_ bytes: UnsafeRawBufferPointer) -> IPHeader? {
        guard bytes.count >= 40, bytes.uint8(at: 0) >> 4 == 6 else { return nil }
        var payloadLength = Int(bytes.uint16(at: 4))
        // A jumbogram (RFC 2675) says 0 here; take what was captured.
        if payloadLength == 0 { payloadLength = bytes.count - 40 }
        let source = IPAddress.v6(high: bytes.uint64(at: 8), low: bytes.uint64(at: 16))
        let destination = IPAddress.v6(high: bytes.uint64(at: 24), low: bytes.uint64(at: 32))
        let end = 40 + payloadLength
        var header = IPHeader(
            source: source, destination: destination, nextProtocol: bytes.uint8(at: 6),
            payload: bytes.slice(from: 40, to: end), missingPayloadBytes: max(0, end - bytes.count), fragment: nil)
        guard header.skipIPv6ExtensionHeaders() else { return nil }
        return header
    }

    /// Steps over hop-by-hop, routing, destination-options, mobility and AH headers. Stops at a
    /// fragment header after recording it.
    mutating func skipIPv6ExtensionHeaders() -> Bool {
        var hops = 0
        while hops < 16 {
            hops += 1
            switch nextProtocol {
            case 0, 43, 60, 135, 139, 140:
                guard payload.count >= 8 else { return false }
                let length = (Int(payload.uint8(at: 1)) + 1) * 8
                guard payload.count >= length else { return false }
                nextProtocol = payload.uint8(at: 0)
                payload = payload.suffix(from: length)
            case 51:
                // Authentication Header: length in 4-byte units, minus 2.
                guard payload.count >= 8 else { return false }
                let length = (Int(payload.uint8(at: 1)) + 2) * 4
                guard payload.count >= length else { return false }
                nextProtocol = payload.uint8(at: 0)
                payload = payload.suffix(from: length)
            case 44:
                guard payload.count >= 8 else { return false }
                let offsetAndFlags = payload.uint16(at: 2)
                fragment = Fragment(
                    identification: payload.uint32(at: 4), offset: Int(offsetAndFlags & 0xfff8),
                    moreFragments: offsetAndFlags & 1 != 0)
                nextProtocol = payload.uint8(at: 0)
                payload = payload.suffix(from: 8)
                // An atomic fragment (offset 0, no more fragments) is a whole datagram (RFC 6946).
                if fragment!.offset == 0 && !fragment!.moreFragments { fragment = nil }
                return true
            default:
                return true
            }
        }
        return false
    }
}

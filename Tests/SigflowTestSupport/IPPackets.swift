import SigflowCore

/// An address from its text; traps on a typo, which only a test can make.
public func ip(_ text: String) -> IPAddress {
    guard let address = IPAddress(Substring(text)) else { fatalError("not an IP address: \(text)") }
    return address
}

/// An endpoint from `ip:port` or `[v6]:port` text.
public func endpoint(_ text: String) -> Endpoint {
    guard let value = Endpoint(Substring(text)) else { fatalError("not an endpoint: \(text)") }
    return value
}

/// IP protocol numbers the builders use.
public enum IPProtocol {
    public static let hopByHop: UInt8 = 0
    public static let ipv4: UInt8 = 4
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let ipv6: UInt8 = 41
    public static let routing: UInt8 = 43
    public static let fragment: UInt8 = 44
    public static let icmp: UInt8 = 1
    public static let destinationOptions: UInt8 = 60
}

/// Builds IPv4 packets (header checksum included).
public enum IPv4 {
    /// One IPv4 packet. `fragmentOffset` is in bytes (a multiple of 8); `totalLength` overrides the
    /// header's total length field (e.g. 0, as TCP segmentation offload writes it).
    public static func packet(
        from source: IPAddress, to destination: IPAddress, protocol proto: UInt8, payload: [UInt8],
        identification: UInt16 = 0x1234, dontFragment: Bool = false, moreFragments: Bool = false,
        fragmentOffset: Int = 0, ttl: UInt8 = 64, options: [UInt8] = [], totalLength: UInt16? = nil
    ) -> [UInt8] {
        guard case .v4(let src) = source, case .v4(let dst) = destination else { fatalError("IPv4 needs v4 addresses") }
        precondition(options.count % 4 == 0 && fragmentOffset % 8 == 0)
        let headerLength = 20 + options.count
        var header: [UInt8] = [0x40 | UInt8(headerLength / 4), 0]
        header += (totalLength ?? UInt16(headerLength + payload.count)).bigEndianBytes
        header += identification.bigEndianBytes
        let flags: UInt16 = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0)
        header += (flags | UInt16(fragmentOffset / 8)).bigEndianBytes
        header += [ttl, proto, 0, 0]
        header += src.bigEndianBytes + dst.bigEndianBytes + options
        let checksum = internetChecksum(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xff)
        return header + payload
    }

    /// Splits `payload` (a whole transport datagram) into fragments of at most `fragmentSize` payload
    /// bytes (rounded down to a multiple of 8), in datagram order.
    public static func fragments(
        from source: IPAddress, to destination: IPAddress, protocol proto: UInt8, payload: [UInt8],
        fragmentSize: Int, identification: UInt16 = 0x4242
    ) -> [[UInt8]] {
        let size = fragmentSize / 8 * 8
        precondition(size > 0)
        return stride(from: 0, to: payload.count, by: size).map { offset in
            let end = min(offset + size, payload.count)
            return packet(
                from: source, to: destination, protocol: proto, payload: Array(payload[offset..<end]),
                identification: identification, moreFragments: end < payload.count, fragmentOffset: offset)
        }
    }

    /// Splits `payload` into exactly `count` fragments (the last may be shorter).
    public static func fragments(
        from source: IPAddress, to destination: IPAddress, protocol proto: UInt8, payload: [UInt8], count: Int,
        identification: UInt16 = 0x4242
    ) -> [[UInt8]] {
        let size = ((payload.count + count - 1) / count + 7) / 8 * 8
        let result = fragments(
            from: source, to: destination, protocol: proto, payload: payload, fragmentSize: size,
            identification: identification)
        precondition(result.count == count, "payload too short for \(count) fragments")
        return result
    }

    /// The 16-bit one's complement of the one's complement sum (RFC 1071).
    public static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

/// An IPv6 extension header as the builder writes it.
public enum IPv6Extension: Sendable {
    /// Hop-by-hop options: 8 bytes holding one PadN option.
    case hopByHop
    /// Destination options: 8 bytes holding one PadN option (`extraUnits` more 8-byte units of padding).
    case destinationOptions(extraUnits: Int = 0)
    /// A routing header of an unassigned type with no segments left (ignored by every node).
    case routing
    /// A fragment header.
    case fragment(offset: Int, moreFragments: Bool, identification: UInt32)

    public var protocolNumber: UInt8 {
        switch self {
        case .hopByHop: return IPProtocol.hopByHop
        case .destinationOptions: return IPProtocol.destinationOptions
        case .routing: return IPProtocol.routing
        case .fragment: return IPProtocol.fragment
        }
    }

    /// The header's bytes with `next` as its Next Header field.
    public func bytes(next: UInt8) -> [UInt8] {
        switch self {
        case .hopByHop:
            return [next, 0, 1, 4, 0, 0, 0, 0]
        case .destinationOptions(let extra):
            let padding = 4 + extra * 8
            return [next, UInt8(extra), 1, UInt8(padding)] + [UInt8](repeating: 0, count: padding)
        case .routing:
            return [next, 0, 253, 0, 0, 0, 0, 0]
        case .fragment(let offset, let more, let identification):
            precondition(offset % 8 == 0)
            return [next, 0] + (UInt16(offset) | (more ? 1 : 0)).bigEndianBytes + identification.bigEndianBytes
        }
    }
}

/// Builds IPv6 packets with any chain of extension headers.
public enum IPv6 {
    public static func packet(
        from source: IPAddress, to destination: IPAddress, nextHeader: UInt8, payload: [UInt8],
        extensions: [IPv6Extension] = [], hopLimit: UInt8 = 64, payloadLength: UInt16? = nil
    ) -> [UInt8] {
        guard case .v6(let sh, let sl) = source, case .v6(let dh, let dl) = destination else {
            fatalError("IPv6 needs v6 addresses")
        }
        var chain: [UInt8] = []
        for (index, ext) in extensions.enumerated() {
            let next = index + 1 < extensions.count ? extensions[index + 1].protocolNumber : nextHeader
            chain += ext.bytes(next: next)
        }
        let first = extensions.first?.protocolNumber ?? nextHeader
        var header: [UInt8] = [0x60, 0, 0, 0]
        header += (payloadLength ?? UInt16(chain.count + payload.count)).bigEndianBytes
        header += [first, hopLimit]
        header += sh.bigEndianBytes + sl.bigEndianBytes + dh.bigEndianBytes + dl.bigEndianBytes
        return header + chain + payload
    }

    /// Splits `payload` (the fragmentable part: a whole transport datagram) into `count` fragments.
    /// `unfragmentable` extension headers (e.g. hop-by-hop) go in front of the fragment header of each.
    public static func fragments(
        from source: IPAddress, to destination: IPAddress, nextHeader: UInt8, payload: [UInt8], count: Int,
        identification: UInt32 = 0xabcd_0001, unfragmentable: [IPv6Extension] = []
    ) -> [[UInt8]] {
        let size = ((payload.count + count - 1) / count + 7) / 8 * 8
        let result = stride(from: 0, to: payload.count, by: size).map { offset -> [UInt8] in
            let end = min(offset + size, payload.count)
            return packet(
                from: source, to: destination, nextHeader: nextHeader, payload: Array(payload[offset..<end]),
                extensions: unfragmentable + [
                    .fragment(offset: offset, moreFragments: end < payload.count, identification: identification)
                ])
        }
        precondition(result.count == count, "payload too short for \(count) fragments")
        return result
    }
}

/// Builds UDP datagrams and TCP segments (checksums left 0: nothing in sigflow checks them).
public enum Transport {
    public static func udp(
        from sourcePort: UInt16, to destinationPort: UInt16, payload: [UInt8], length: UInt16? = nil
    )
        -> [UInt8]
    {
        sourcePort.bigEndianBytes + destinationPort.bigEndianBytes
            + (length ?? UInt16(8 + payload.count)).bigEndianBytes + [0, 0] + payload
    }

    public static func tcp(
        from sourcePort: UInt16, to destinationPort: UInt16, sequence: UInt32, acknowledgement: UInt32 = 0,
        flags: UInt8, payload: [UInt8] = [], options: [UInt8] = []
    ) -> [UInt8] {
        precondition(options.count % 4 == 0)
        var header = sourcePort.bigEndianBytes + destinationPort.bigEndianBytes
        header += sequence.bigEndianBytes + acknowledgement.bigEndianBytes
        header += [UInt8((20 + options.count) / 4) << 4, flags]
        header += UInt16(65_535).bigEndianBytes + [0, 0, 0, 0] + options
        return header + payload
    }
}

/// TCP flag bytes, combinable with `|`.
public enum TCPFlag {
    public static let fin: UInt8 = 0x01
    public static let syn: UInt8 = 0x02
    public static let rst: UInt8 = 0x04
    public static let psh: UInt8 = 0x08
    public static let ack: UInt8 = 0x10
}

/// Wraps a transport payload in the right IP header for its endpoints' address family.
public func ipPacket(
    from source: Endpoint, to destination: Endpoint, protocol proto: UInt8, transport: [UInt8]
)
    -> [UInt8]
{
    if source.address.isIPv6 {
        return IPv6.packet(from: source.address, to: destination.address, nextHeader: proto, payload: transport)
    }
    return IPv4.packet(from: source.address, to: destination.address, protocol: proto, payload: transport)
}

/// A UDP datagram from `source` to `destination` inside IPv4 or IPv6.
public func udpPacket(from source: Endpoint, to destination: Endpoint, payload: [UInt8]) -> [UInt8] {
    ipPacket(
        from: source, to: destination, protocol: IPProtocol.udp,
        transport: Transport.udp(from: source.port, to: destination.port, payload: payload))
}

/// A TCP segment from `source` to `destination` inside IPv4 or IPv6.
public func tcpPacket(
    from source: Endpoint, to destination: Endpoint, sequence: UInt32, acknowledgement: UInt32 = 0,
    flags: UInt8 = TCPFlag.ack, payload: [UInt8] = []
) -> [UInt8] {
    ipPacket(
        from: source, to: destination, protocol: IPProtocol.tcp,
        transport: Transport.tcp(
            from: source.port, to: destination.port, sequence: sequence, acknowledgement: acknowledgement,
            flags: flags, payload: payload))
}

/// Wraps an IP packet in an outer IPv4 or IPv6 header (IP-in-IP: 4in4, 6in4, 4in6, 6in6); the inner
/// version picks the protocol number (4 or 41), the outer addresses the outer version.
public func tunnel(_ inner: [UInt8], from source: IPAddress, to destination: IPAddress) -> [UInt8] {
    let proto = (inner.first ?? 0) >> 4 == 6 ? IPProtocol.ipv6 : IPProtocol.ipv4
    if source.isIPv6 {
        return IPv6.packet(from: source, to: destination, nextHeader: proto, payload: inner)
    }
    return IPv4.packet(from: source, to: destination, protocol: proto, payload: inner)
}

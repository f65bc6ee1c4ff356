import SigflowCore

/// Link-layer framings a fixture can use, each with the LINKTYPE_* value its pcap header carries.
public enum LinkFraming: String, CaseIterable, Sendable, CustomStringConvertible {
    case ethernet
    /// Ethernet with one 802.1Q tag (VLAN 100).
    case vlan
    /// Ethernet with an 802.1ad outer tag (VLAN 10) and an 802.1Q inner tag (VLAN 20).
    case qinq
    /// Linux cooked capture v1.
    case sll
    /// Linux cooked capture v1 with the 802.1Q tag libpcap puts back in front of the protocol field
    /// (VLAN 30).
    case sllVLAN
    /// Linux cooked capture v2.
    case sll2
    /// BSD loopback, address family in little-endian (as written on x86).
    case null
    /// BSD loopback, address family in big-endian (as written on big-endian machines).
    case nullBigEndian
    /// OpenBSD loopback: address family in network byte order.
    case loop
    /// Raw IP (LINKTYPE_RAW, 101): the frame starts with the IP header.
    case raw
    /// LINKTYPE_IPV4 / LINKTYPE_IPV6 (228 / 229): picked by the first packet's version.
    case rawVersioned

    public var description: String { rawValue }

    /// The LINKTYPE_* value for the file header. `ipv6` matters only for `.rawVersioned`.
    public func linkType(ipv6: Bool = false) -> Int32 {
        switch self {
        case .ethernet, .vlan, .qinq: return 1
        case .sll, .sllVLAN: return 113
        case .sll2: return 276
        case .null, .nullBigEndian: return 0
        case .loop: return 108
        case .raw: return 101
        case .rawVersioned: return ipv6 ? 229 : 228
        }
    }

    /// How many bytes this framing puts in front of the IP packet.
    public var headerLength: Int {
        switch self {
        case .ethernet: return 14
        case .vlan: return 18
        case .qinq: return 22
        case .sll: return 16
        case .sllVLAN: return 20
        case .sll2: return 20
        case .null, .nullBigEndian, .loop: return 4
        case .raw, .rawVersioned: return 0
        }
    }

    /// `packet` (an IPv4 or IPv6 packet) in this framing.
    public func frame(_ packet: [UInt8]) -> [UInt8] {
        let isIPv6 = (packet.first ?? 0) >> 4 == 6
        let etherType: UInt16 = isIPv6 ? 0x86dd : 0x0800
        switch self {
        case .ethernet:
            return LinkFrame.ethernet(packet, etherType: etherType)
        case .vlan:
            return LinkFrame.ethernet(packet, etherType: etherType, tags: [(0x8100, 100)])
        case .qinq:
            return LinkFrame.ethernet(packet, etherType: etherType, tags: [(0x88a8, 10), (0x8100, 20)])
        case .sll:
            return LinkFrame.sll(packet, protocol: etherType)
        case .sllVLAN:
            return LinkFrame.sll(UInt16(30).bigEndianBytes + etherType.bigEndianBytes + packet, protocol: 0x8100)
        case .sll2:
            return LinkFrame.sll2(packet, protocol: etherType)
        case .null:
            return UInt32(isIPv6 ? 30 : 2).littleEndianBytes + packet
        case .nullBigEndian:
            return UInt32(isIPv6 ? 10 : 2).bigEndianBytes + packet
        case .loop:
            return UInt32(isIPv6 ? 24 : 2).bigEndianBytes + packet
        case .raw, .rawVersioned:
            return packet
        }
    }
}

/// Link-layer headers.
public enum LinkFrame {
    public static let clientMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
    public static let serverMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]

    /// An Ethernet II frame, with `tags` (TPID, VLAN id) in front of the EtherType, outermost first.
    public static func ethernet(_ payload: [UInt8], etherType: UInt16, tags: [(UInt16, UInt16)] = []) -> [UInt8] {
        var frame = serverMAC + clientMAC
        for (tpid, vlan) in tags { frame += tpid.bigEndianBytes + vlan.bigEndianBytes }
        return frame + etherType.bigEndianBytes + payload
    }

    /// Linux cooked capture v1: packet type, ARPHRD, address length, 8 address bytes, protocol.
    public static func sll(_ payload: [UInt8], protocol proto: UInt16, packetType: UInt16 = 0) -> [UInt8] {
        packetType.bigEndianBytes + UInt16(1).bigEndianBytes + UInt16(6).bigEndianBytes + clientMAC + [0, 0]
            + proto.bigEndianBytes + payload
    }

    /// Linux cooked capture v2: protocol, reserved, interface index, ARPHRD, packet type, address
    /// length, 8 address bytes.
    public static func sll2(_ payload: [UInt8], protocol proto: UInt16, interfaceIndex: UInt32 = 2) -> [UInt8] {
        proto.bigEndianBytes + [0, 0] + interfaceIndex.bigEndianBytes + UInt16(1).bigEndianBytes + [4, 6]
            + clientMAC + [0, 0] + payload
    }
}

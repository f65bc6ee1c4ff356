import SigflowCore

/// What the bytes at some point of a frame are: the layer the dissector reads next.
enum PacketLayer {
    case ipv4
    case ipv6
    /// An Ethernet frame (inside a tunnel: GRE transparent bridging, VXLAN, ERSPAN, a pseudowire).
    case ethernet
    /// An MPLS label stack (EtherType 0x8847/0x8848).
    case mpls
    /// A PPPoE session-stage header (EtherType 0x8864).
    case pppoeSession
    /// A PPP protocol field, compressed to one byte or not (in PPPoE, or PPP without framing).
    case ppp
    /// PPP that may start with HDLC-like address and control bytes (link type 9, PPP in GRE).
    case pppFramed
    /// Cisco HDLC: address, control, EtherType (link type 104).
    case ciscoHDLC
    /// Linux NFLOG: a header and TLVs, one of which holds the packet (link type 239).
    case nflog
    /// A GRE header (IP protocol 47).
    case gre
    /// A GTP-U header (UDP 2152).
    case gtpU
    /// A VXLAN header (UDP 4789).
    case vxlan
    /// ERSPAN type II or III (GRE 0x88BE / 0x22EB), then an Ethernet frame.
    case erspanII
    case erspanIII
}

/// Strips link-layer headers: where in a frame the IP packet (or the first tunnel header) starts.
enum LinkLayer {
    static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeIPv6: UInt16 = 0x86dd

    /// The layer inside a frame of `linkType`, or nil for a frame nobody decodes (ARP, LLC, ...) and
    /// for a link type sigflow does not read (`isKnown` tells the two apart).
    @inline(__always)
    static func networkPacket(
        in frame: UnsafeRawBufferPointer, linkType: LinkType
    ) -> (PacketLayer, UnsafeRawBufferPointer)? {
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue:
            return ethernetPayload(frame)
        case LinkType.linuxSLL.rawValue:
            guard frame.count >= 16 else { return nil }
            return etherTypePayload(frame, etherTypeOffset: 14)
        case LinkType.linuxSLL2.rawValue:
            guard frame.count >= 20 else { return nil }
            return byEtherType(frame.uint16(at: 0), frame.suffix(from: 20))
        case LinkType.null.rawValue:
            guard frame.count >= 4 else { return nil }
            // The family is in the byte order of the machine that wrote the file; one of the two
            // readings is a small number.
            let little = UInt32(littleEndian: frame.loadUnaligned(as: UInt32.self))
            let family = little < 0x10000 ? little : frame.uint32(at: 0)
            return byAddressFamily(family, frame.suffix(from: 4))
        case LinkType.loop.rawValue:
            guard frame.count >= 4 else { return nil }
            return byAddressFamily(frame.uint32(at: 0), frame.suffix(from: 4))
        case LinkType.raw.rawValue, LinkType.rawBSD12.rawValue, LinkType.rawBSD14.rawValue:
            return byVersionNibble(frame)
        case LinkType.ipv4.rawValue:
            return (.ipv4, frame)
        case LinkType.ipv6.rawValue:
            return (.ipv6, frame)
        case LinkType.ppp.rawValue:
            return (.pppFramed, frame)
        case LinkType.pppHDLC.rawValue:
            // RFC 1662 framing, or Cisco HDLC, which libpcap writes under this type too.
            return (frame.first.map { $0 == 0x0f || $0 == 0x8f } ?? false ? .ciscoHDLC : .pppFramed, frame)
        case LinkType.ciscoHDLC.rawValue:
            return (.ciscoHDLC, frame)
        case LinkType.nflog.rawValue:
            return (.nflog, frame)
        default:
            return nil
        }
    }

    /// Whether sigflow reads frames of this link type at all.
    static func isKnown(_ linkType: LinkType) -> Bool {
        switch linkType {
        case .ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .rawBSD12, .rawBSD14, .ipv4, .ipv6, .ppp,
            .pppHDLC, .ciscoHDLC, .nflog:
            return true
        default:
            return false
        }
    }

    /// An Ethernet II frame's payload.
    @inline(__always)
    static func ethernetPayload(_ frame: UnsafeRawBufferPointer) -> (PacketLayer, UnsafeRawBufferPointer)? {
        guard frame.count >= 14 else { return nil }
        return etherTypePayload(frame, etherTypeOffset: 12)
    }

    /// Reads an EtherType, stepping over any 802.1Q / 802.1ad (QinQ) tags in front of it.
    @inline(__always)
    private static func etherTypePayload(
        _ frame: UnsafeRawBufferPointer, etherTypeOffset: Int
    ) -> (PacketLayer, UnsafeRawBufferPointer)? {
        var offset = etherTypeOffset
        var etherType = frame.uint16(at: offset)
        var tags = 0
        while etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100 {
            tags += 1
            offset += 4
            guard tags <= 8, offset + 2 <= frame.count else { return nil }
            etherType = frame.uint16(at: offset)
        }
        return byEtherType(etherType, frame.suffix(from: offset + 2))
    }

    /// The layers an EtherType (or a GRE protocol type, which uses the same numbers) names: IP,
    /// and the tunnels sigflow opens. Nil for the rest (ARP, LLDP, STP, IPX...).
    @inline(__always)
    static func byEtherType(
        _ etherType: UInt16, _ payload: UnsafeRawBufferPointer
    ) -> (PacketLayer, UnsafeRawBufferPointer)? {
        switch etherType {
        case etherTypeIPv4: return (.ipv4, payload)
        case etherTypeIPv6: return (.ipv6, payload)
        case 0x8847, 0x8848: return (.mpls, payload)
        case 0x8864: return (.pppoeSession, payload)
        case 0x6558: return (.ethernet, payload)
        case 0x880b: return (.pppFramed, payload)
        case 0x88be: return (.erspanII, payload)
        case 0x22eb: return (.erspanIII, payload)
        default: return nil
        }
    }

    /// BSD `AF_INET` is 2 everywhere; `AF_INET6` is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
    /// 30 (macOS).
    static func byAddressFamily(
        _ family: UInt32, _ payload: UnsafeRawBufferPointer
    ) -> (PacketLayer, UnsafeRawBufferPointer)? {
        switch family {
        case 2: return (.ipv4, payload)
        case 10, 24, 28, 30: return (.ipv6, payload)
        default: return nil
        }
    }

    static func byVersionNibble(_ packet: UnsafeRawBufferPointer) -> (PacketLayer, UnsafeRawBufferPointer)? {
        guard let first = packet.first else { return nil }
        switch first >> 4 {
        case 4: return (.ipv4, packet)
        case 6: return (.ipv6, packet)
        default: return nil
        }
    }
}

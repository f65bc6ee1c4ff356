import SigflowCore

/// The network-layer protocol a link-layer frame carries.
enum NetworkProtocol {
    case ipv4
    case ipv6
}

/// Strips link-layer headers: where in a frame the IP packet starts, and which IP version it is.
enum LinkLayer {
    static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeIPv6: UInt16 = 0x86dd

    /// The IP packet inside a frame of `linkType`, or nil for anything that is not IP (ARP, LLC, ...).
    @inline(__always)
    static func networkPacket(
        in frame: UnsafeRawBufferPointer, linkType: LinkType
    ) -> (NetworkProtocol, UnsafeRawBufferPointer)? {
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue:
            guard frame.count >= 14 else { return nil }
            return etherTypePayload(frame, etherTypeOffset: 12)
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
        default:
            return nil
        }
    }

    /// Reads an EtherType, stepping over any 802.1Q / 802.1ad (QinQ) tags in front of it.
    @inline(__always)
    private static func etherTypePayload(
        _ frame: UnsafeRawBufferPointer, etherTypeOffset: Int
    ) -> (NetworkProtocol, UnsafeRawBufferPointer)? {
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

    @inline(__always)
    private static func byEtherType(
        _ etherType: UInt16, _ payload: UnsafeRawBufferPointer
    ) -> (NetworkProtocol, UnsafeRawBufferPointer)? {
        switch etherType {
        case etherTypeIPv4: return (.ipv4, payload)
        case etherTypeIPv6: return (.ipv6, payload)
        default: return nil
        }
    }

    /// BSD `AF_INET` is 2 everywhere; `AF_INET6` is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
    /// 30 (macOS).
    private static func byAddressFamily(
        _ family: UInt32, _ payload: UnsafeRawBufferPointer
    ) -> (NetworkProtocol, UnsafeRawBufferPointer)? {
        switch family {
        case 2: return (.ipv4, payload)
        case 10, 24, 28, 30: return (.ipv6, payload)
        default: return nil
        }
    }

    private static func byVersionNibble(_ packet: UnsafeRawBufferPointer) -> (NetworkProtocol, UnsafeRawBufferPointer)?
    {
        guard let first = packet.first else { return nil }
        switch first >> 4 {
        case 4: return (.ipv4, packet)
        case 6: return (.ipv6, packet)
        default: return nil
        }
    }
}

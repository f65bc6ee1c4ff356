import SigflowCore

/// What opening one layer of a frame gave.
enum Unwrapped {
    /// The next layer and its bytes, and the tunnel entered, if this layer was one.
    case layer(PacketLayer, UnsafeRawBufferPointer, tunnel: Encapsulation?)
    /// Nothing that carries signaling (control traffic, a frame that is not IP): drop it quietly.
    case stop
    /// A container sigflow could not open.
    case undecoded(UndecodedCause)
}

/// Parsers for the headers between a link layer and an IP packet, other than IP itself. Each reads
/// one header and says what follows it; none allocates.
enum TunnelHeaders {
    static func open(_ layer: PacketLayer, _ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        switch layer {
        case .ethernet: return LinkLayer.ethernetPayload(bytes).map { .layer($0.0, $0.1, tunnel: nil) } ?? .stop
        case .mpls: return mpls(bytes)
        case .pppoeSession: return pppoeSession(bytes)
        case .ppp: return ppp(bytes)
        case .pppFramed: return pppFramed(bytes)
        case .ciscoHDLC: return ciscoHDLC(bytes)
        case .nflog: return nflog(bytes)
        case .gre: return gre(bytes)
        case .gtpU: return gtpU(bytes) ?? .stop
        case .vxlan: return vxlan(bytes) ?? .stop
        case .erspanII: return erspanII(bytes)
        case .erspanIII: return erspanIII(bytes)
        case .ipv4, .ipv6: return .layer(layer, bytes, tunnel: nil)
        }
    }

    /// GRE (RFC 2784 with RFC 2890's key and sequence number), and PPTP's enhanced GRE (RFC 2637:
    /// version 1, PPP only, a key holding payload length and call id, an optional acknowledgement).
    static func gre(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        guard bytes.count >= 4 else { return .undecoded(.truncated(.gre)) }
        let flags = bytes.uint16(at: 0)
        let hasChecksum = flags & 0x8000 != 0
        let hasRouting = flags & 0x4000 != 0
        let hasKey = flags & 0x2000 != 0
        let hasSequence = flags & 0x1000 != 0
        let version = flags & 0x0007
        let protocolType = bytes.uint16(at: 2)
        switch version {
        case 0:
            guard !hasRouting else { return .undecoded(.payload(.gre, UInt32(protocolType))) }
            var length = 4 + (hasChecksum ? 4 : 0)
            let key = hasKey && bytes.count >= length + 4 ? bytes.uint32(at: length) : nil
            length += (hasKey ? 4 : 0) + (hasSequence ? 4 : 0)
            guard bytes.count >= length else { return .undecoded(.truncated(.gre)) }
            let payload = bytes.suffix(from: length)
            if protocolType == 0x88be && !hasSequence {
                // ERSPAN type I: no sequence number and no ERSPAN header, the mirrored frame at once.
                return .layer(.ethernet, payload, tunnel: .erspan(session: 0))
            }
            guard let (layer, inner) = LinkLayer.byEtherType(protocolType, payload) else {
                return .undecoded(.payload(.gre, UInt32(protocolType)))
            }
            // ERSPAN names its own session; the GRE around it is only transport.
            let tunnel: Encapsulation? = layer == .erspanII || layer == .erspanIII ? nil : .gre(key: key)
            return .layer(layer, inner, tunnel: tunnel)
        case 1:
            guard protocolType == 0x880b, hasKey else { return .undecoded(.payload(.gre, UInt32(protocolType))) }
            let hasAcknowledgement = flags & 0x0080 != 0
            let length = 8 + (hasSequence ? 4 : 0) + (hasAcknowledgement ? 4 : 0)
            guard bytes.count >= length else { return .undecoded(.truncated(.gre)) }
            let payloadLength = Int(bytes.uint16(at: 4))
            // An acknowledgement alone carries no payload.
            guard payloadLength > 0 else { return .stop }
            return .layer(
                .pppFramed, bytes.slice(from: length, to: length + payloadLength),
                tunnel: .pptp(call: bytes.uint16(at: 6)))
        default:
            return .undecoded(.payload(.gre, UInt32(protocolType)))
        }
    }

    /// GTP-U (3GPP TS 29.281): version 1, protocol type GTP; the sequence number, N-PDU number and
    /// next-extension fields when any of their flags is set, then the extension header chain. Only
    /// a G-PDU (type 255) carries a user packet; echo, error indication and end marker are control.
    /// Nil when the bytes are not GTP-U at all (another protocol on the port).
    static func gtpU(_ bytes: UnsafeRawBufferPointer) -> Unwrapped? {
        guard bytes.count >= 8 else {
            return bytes.count > 0 && bytes[0] & 0xf0 == 0x30 ? .undecoded(.truncated(.gtpU)) : nil
        }
        let flags = bytes.uint8(at: 0)
        guard flags >> 5 == 1, flags & 0x10 != 0 else { return nil }
        guard bytes.uint8(at: 1) == 255 else { return .stop }
        let teid = bytes.uint32(at: 4)
        let end = min(bytes.count, 8 + Int(bytes.uint16(at: 2)))
        var offset = 8
        if flags & 0x07 != 0 {
            guard end >= 12 else { return .undecoded(.truncated(.gtpU)) }
            var next = flags & 0x04 != 0 ? bytes.uint8(at: 11) : 0
            offset = 12
            var hops = 0
            while next != 0 {
                // Each extension header: its length in 4-byte units, content, the next type.
                hops += 1
                guard hops <= 16, offset < end else { return .undecoded(.truncated(.gtpU)) }
                let length = Int(bytes.uint8(at: offset)) * 4
                guard length > 0, offset + length <= end else { return .undecoded(.truncated(.gtpU)) }
                next = bytes.uint8(at: offset + length - 1)
                offset += length
            }
        }
        let payload = bytes.slice(from: offset, to: end)
        guard let (layer, inner) = LinkLayer.byVersionNibble(payload) else {
            return .undecoded(.payload(.gtpU, UInt32(payload.first ?? 0)))
        }
        return .layer(layer, inner, tunnel: .gtpU(teid: teid))
    }

    /// VXLAN (RFC 7348): flags with the I bit, a 24-bit network identifier, then an Ethernet frame.
    /// Nil when the I flag is missing: not VXLAN.
    static func vxlan(_ bytes: UnsafeRawBufferPointer) -> Unwrapped? {
        guard bytes.count >= 8, bytes.uint8(at: 0) & 0x08 != 0 else { return nil }
        return .layer(.ethernet, bytes.suffix(from: 8), tunnel: .vxlan(vni: bytes.uint32(at: 4) >> 8))
    }

    /// A PPPoE session-stage header (RFC 2516): version and type 1, code 0, session id, length.
    static func pppoeSession(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        guard bytes.count >= 6 else { return .undecoded(.truncated(.pppoe)) }
        guard bytes.uint8(at: 0) == 0x11, bytes.uint8(at: 1) == 0 else {
            return .undecoded(.payload(.pppoe, UInt32(bytes.uint8(at: 1))))
        }
        return .layer(
            .ppp, bytes.slice(from: 6, to: 6 + Int(bytes.uint16(at: 4))),
            tunnel: .pppoe(session: bytes.uint16(at: 2)))
    }

    /// PPP that may begin with RFC 1662's address and control bytes (0xFF 0x03), which are left
    /// out when both ends agreed to compress them.
    static func pppFramed(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        if bytes.count >= 2 && bytes.uint8(at: 0) == 0xff && bytes.uint8(at: 1) == 0x03 {
            return ppp(bytes.suffix(from: 2))
        }
        return ppp(bytes)
    }

    /// A PPP protocol field (RFC 1661): one byte when compressed (an odd first byte), else two.
    /// Network protocols other than IP and MPLS (0x0001-0x7FFF: compressed or encrypted datagrams,
    /// IPX ...) are counted; control protocols (LCP, IPCP, CHAP ...: 0x8000 and up) are not.
    static func ppp(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        guard let first = bytes.first else { return .undecoded(.truncated(.ppp)) }
        let compressed = first & 1 == 1
        guard compressed || bytes.count >= 2 else { return .undecoded(.truncated(.ppp)) }
        let protocolNumber = compressed ? UInt16(first) : bytes.uint16(at: 0)
        let payload = bytes.suffix(from: compressed ? 1 : 2)
        switch protocolNumber {
        case 0x0021: return .layer(.ipv4, payload, tunnel: nil)
        case 0x0057: return .layer(.ipv6, payload, tunnel: nil)
        case 0x0281, 0x0283: return .layer(.mpls, payload, tunnel: nil)
        case 0x8000...: return .stop
        default: return .undecoded(.payload(.ppp, UInt32(protocolNumber)))
        }
    }

    /// Cisco HDLC: address (0x0F unicast, 0x8F broadcast), control 0, then an EtherType; SLARP and
    /// CDP keepalives are control traffic.
    static func ciscoHDLC(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        guard bytes.count >= 4 else { return .undecoded(.truncated(.ciscoHDLC)) }
        guard let (layer, inner) = LinkLayer.byEtherType(bytes.uint16(at: 2), bytes.suffix(from: 4)) else {
            return .stop
        }
        return .layer(layer, inner, tunnel: nil)
    }

    /// Linux NFLOG (link type 239): address family, version, resource id, then TLVs whose length and
    /// type are in the capturing host's byte order; NFULA_PAYLOAD (type 9) holds the packet.
    static func nflog(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        guard bytes.count >= 4 else { return .undecoded(.truncated(.nflog)) }
        let family = bytes.uint8(at: 0)
        for littleEndian in [true, false] {
            var offset = 4
            while offset + 4 <= bytes.count {
                let rawLength = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
                let rawType = bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)
                let length = Int(littleEndian ? UInt16(littleEndian: rawLength) : UInt16(bigEndian: rawLength))
                let type = (littleEndian ? UInt16(littleEndian: rawType) : UInt16(bigEndian: rawType)) & 0x3fff
                guard length >= 4, offset + length <= bytes.count else { break }
                if type == 9 {
                    let packet = bytes.slice(from: offset + 4, to: offset + length)
                    guard let found = LinkLayer.byAddressFamily(UInt32(family), packet) else {
                        return .undecoded(.payload(.nflog, UInt32(family)))
                    }
                    return .layer(found.0, found.1, tunnel: nil)
                }
                offset += (length + 3) & ~3
            }
        }
        // A record logged without the packet (copy range 0) has nothing to decode.
        return .stop
    }

    /// An MPLS label stack: up to the bottom-of-stack label, then IPv4 or IPv6 by the version nibble,
    /// or an Ethernet pseudowire (RFC 4448), with its control word (first nibble 0) or without, when
    /// an Ethernet header with an IP or VLAN EtherType is where it would be.
    static func mpls(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        var offset = 0
        var entry: UInt32 = 0
        repeat {
            guard offset + 4 <= bytes.count, offset < 64 else { return .undecoded(.truncated(.mpls)) }
            entry = bytes.uint32(at: offset)
            offset += 4
        } while entry & 0x100 == 0
        let tunnel = Encapsulation.mpls(label: entry >> 12)
        let payload = bytes.suffix(from: offset)
        guard let first = payload.first else { return .undecoded(.truncated(.mpls)) }
        if let (layer, inner) = LinkLayer.byVersionNibble(payload) { return .layer(layer, inner, tunnel: tunnel) }
        func carriesEthernet(_ frame: UnsafeRawBufferPointer) -> Bool {
            guard frame.count >= 14 else { return false }
            switch frame.uint16(at: 12) {
            case 0x0800, 0x86dd, 0x8100, 0x88a8, 0x8847: return true
            default: return false
            }
        }
        if first >> 4 == 0, carriesEthernet(payload.suffix(from: 4)) {
            return .layer(.ethernet, payload.suffix(from: 4), tunnel: tunnel)
        }
        if carriesEthernet(payload) { return .layer(.ethernet, payload, tunnel: tunnel) }
        return .undecoded(.payload(.mpls, UInt32(first)))
    }

    /// ERSPAN type II: version 1, VLAN, class of service, encapsulation, truncation, a 10-bit session
    /// id, reserved bits and an index, then the mirrored Ethernet frame.
    static func erspanII(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        guard bytes.count >= 8 else { return .undecoded(.truncated(.erspan)) }
        return .layer(.ethernet, bytes.suffix(from: 8), tunnel: .erspan(session: bytes.uint16(at: 2) & 0x3ff))
    }

    /// ERSPAN type III: version 2, VLAN, class of service, session id, a timestamp, a security group
    /// tag, the frame type (0 Ethernet, 2 IP) and an optional 8-byte platform sub-header.
    static func erspanIII(_ bytes: UnsafeRawBufferPointer) -> Unwrapped {
        guard bytes.count >= 12 else { return .undecoded(.truncated(.erspan)) }
        let word = bytes.uint16(at: 10)
        let length = word & 1 != 0 ? 20 : 12
        guard bytes.count >= length else { return .undecoded(.truncated(.erspan)) }
        let tunnel = Encapsulation.erspan(session: bytes.uint16(at: 2) & 0x3ff)
        let payload = bytes.suffix(from: length)
        switch (word >> 10) & 0x1f {
        case 0:
            return .layer(.ethernet, payload, tunnel: tunnel)
        case 2:
            guard let (layer, inner) = LinkLayer.byVersionNibble(payload) else {
                return .undecoded(.payload(.erspan, 2))
            }
            return .layer(layer, inner, tunnel: tunnel)
        case let frameType:
            return .undecoded(.payload(.erspan, UInt32(frameType)))
        }
    }
}

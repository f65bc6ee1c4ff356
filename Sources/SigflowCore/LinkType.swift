/// A libpcap link-layer header type (`DLT_*` / `LINKTYPE_*`), telling how a frame's bytes begin.
///
/// The named types are computed, inlinable constants: the dissector compares against them for every
/// packet, and a stored `static let` would cost a lazy-initialisation check each time.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// BSD loopback: a 4-byte address family in the writer's byte order.
    @inlinable public static var null: LinkType { LinkType(rawValue: 0) }
    @inlinable public static var ethernet: LinkType { LinkType(rawValue: 1) }
    /// PPP (RFC 1661), with or without HDLC-like framing (RFC 1662).
    @inlinable public static var ppp: LinkType { LinkType(rawValue: 9) }
    /// PPP in HDLC-like framing (RFC 1662), or Cisco HDLC.
    @inlinable public static var pppHDLC: LinkType { LinkType(rawValue: 50) }
    /// Cisco HDLC: address, control, then an EtherType.
    @inlinable public static var ciscoHDLC: LinkType { LinkType(rawValue: 104) }
    /// Raw IP as DLT_RAW on most systems (12 and 14 on some BSDs).
    @inlinable public static var raw: LinkType { LinkType(rawValue: 101) }
    @inlinable public static var rawBSD12: LinkType { LinkType(rawValue: 12) }
    @inlinable public static var rawBSD14: LinkType { LinkType(rawValue: 14) }
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    @inlinable public static var loop: LinkType { LinkType(rawValue: 108) }
    @inlinable public static var linuxSLL: LinkType { LinkType(rawValue: 113) }
    @inlinable public static var ipv4: LinkType { LinkType(rawValue: 228) }
    @inlinable public static var ipv6: LinkType { LinkType(rawValue: 229) }
    /// Linux netfilter NFLOG: a header and TLVs, one of which holds the packet.
    @inlinable public static var nflog: LinkType { LinkType(rawValue: 239) }
    @inlinable public static var linuxSLL2: LinkType { LinkType(rawValue: 276) }
    /// Not a link layer: the input is a client log read as evidence.
    @inlinable public static var evidenceLog: LinkType { LinkType(rawValue: -1) }

    public var description: String {
        switch self {
        case .null: return "BSD loopback"
        case .ethernet: return "Ethernet"
        case .ppp: return "PPP"
        case .pppHDLC: return "PPP in HDLC framing"
        case .ciscoHDLC: return "Cisco HDLC"
        case .nflog: return "Linux NFLOG"
        case .raw, .rawBSD12, .rawBSD14: return "raw IP"
        case .loop: return "OpenBSD loopback"
        case .linuxSLL: return "Linux cooked (SLL)"
        case .ipv4: return "raw IPv4"
        case .ipv6: return "raw IPv6"
        case .linuxSLL2: return "Linux cooked v2 (SLL2)"
        case .evidenceLog: return "client log"
        default: return "link type \(rawValue)"
        }
    }
}

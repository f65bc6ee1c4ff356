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
    /// Raw IP as DLT_RAW on most systems (12 and 14 on some BSDs).
    @inlinable public static var raw: LinkType { LinkType(rawValue: 101) }
    @inlinable public static var rawBSD12: LinkType { LinkType(rawValue: 12) }
    @inlinable public static var rawBSD14: LinkType { LinkType(rawValue: 14) }
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    @inlinable public static var loop: LinkType { LinkType(rawValue: 108) }
    @inlinable public static var linuxSLL: LinkType { LinkType(rawValue: 113) }
    @inlinable public static var ipv4: LinkType { LinkType(rawValue: 228) }
    @inlinable public static var ipv6: LinkType { LinkType(rawValue: 229) }
    @inlinable public static var linuxSLL2: LinkType { LinkType(rawValue: 276) }
    /// Not a link layer: the input is a client log read as evidence.
    @inlinable public static var evidenceLog: LinkType { LinkType(rawValue: -1) }

    public var description: String {
        switch self {
        case .null: return "BSD loopback"
        case .ethernet: return "Ethernet"
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

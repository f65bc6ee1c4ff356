/// A libpcap link-layer header type (`DLT_*` / `LINKTYPE_*`), telling how a frame's bytes begin.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// BSD loopback: a 4-byte address family in the writer's byte order.
    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP as DLT_RAW on most systems (12 and 14 on some BSDs).
    public static let raw = LinkType(rawValue: 101)
    public static let rawBSD12 = LinkType(rawValue: 12)
    public static let rawBSD14 = LinkType(rawValue: 14)
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    public static let loop = LinkType(rawValue: 108)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let linuxSLL2 = LinkType(rawValue: 276)
    /// Not a link layer: the input is a client log read as evidence.
    public static let evidenceLog = LinkType(rawValue: -1)

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

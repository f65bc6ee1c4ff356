import SigflowCore

/// The tunnels and framings whose contents sigflow reads, as warnings name them.
enum TunnelKind: String, Hashable, Comparable {
    case gre = "GRE"
    case gtpU = "GTP-U"
    case vxlan = "VXLAN"
    case pppoe = "PPPoE"
    case ppp = "PPP"
    case mpls = "MPLS"
    case erspan = "ERSPAN"
    case ciscoHDLC = "Cisco HDLC"
    case nflog = "NFLOG"

    static func < (lhs: TunnelKind, rhs: TunnelKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What the number that picks the payload is called.
    var payloadField: String {
        switch self {
        case .gre, .ppp, .ciscoHDLC: return "protocol"
        case .gtpU, .mpls: return "a payload starting with"
        case .erspan: return "frame type"
        case .vxlan: return "flags"
        case .pppoe: return "code"
        case .nflog: return "address family"
        }
    }
}

/// Why a packet that could carry signaling was not decoded: something sigflow recognised as a
/// container but could not open. Counted per cause, and reported once per cause.
///
/// The rule for what counts: a link type sigflow does not read, a tunnel (GRE, GTP-U, VXLAN, PPPoE,
/// PPP, MPLS, ERSPAN, NFLOG) whose payload it does not read or whose header is cut short, tunnels
/// nested too deep, and the IP protocols that carry SIP where sigflow cannot follow (ESP, which is
/// encrypted, and SCTP). Plain traffic that is not IP where it stands (ARP, LLDP, STP, IPX in an
/// Ethernet frame, tunnel control messages such as GTP echo or PPP's LCP) and IP protocols that
/// never carry signaling (ICMP, OSPF, ...) are not counted: nobody expects calls there.
enum UndecodedCause: Hashable, Comparable {
    case linkType(Int32)
    /// A tunnel whose payload type sigflow does not read.
    case payload(TunnelKind, UInt32)
    /// A tunnel header cut short (by the snapshot length, or damaged).
    case truncated(TunnelKind)
    case tooDeep
    case ipProtocol(UInt8)

    var diagnosticName: String {
        switch self {
        case .linkType: return "link_type_not_decoded"
        case .payload: return "tunnel_not_decoded"
        case .truncated: return "tunnel_truncated"
        case .tooDeep: return "tunnel_too_deep"
        case .ipProtocol: return "ip_protocol_not_decoded"
        }
    }

    func message(count: Int) -> String {
        let packets = count == 1 ? "1 packet" : "\(count) packets"
        switch self {
        case .linkType(let type):
            return "\(packets) of \(LinkType(rawValue: type)) not decoded (sigflow does not read that link type)"
        case .payload(let tunnel, let value):
            let digits = tunnel == .ppp || tunnel == .gre || tunnel == .ciscoHDLC ? 4 : 2
            let text = String(value, radix: 16)
            let hex = "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
            return "\(packets) in \(tunnel.rawValue) with \(tunnel.payloadField) \(hex) not decoded"
        case .truncated(let tunnel):
            return "\(packets) with a \(tunnel.rawValue) header cut short not decoded"
        case .tooDeep:
            return "\(packets) with tunnels nested deeper than \(PacketDissector.maxTunnelDepth) not decoded"
        case .ipProtocol(50):
            return "\(packets) of IPsec ESP not decoded (encrypted)"
        case .ipProtocol(let number):
            return "\(packets) of IP protocol \(number == 132 ? "SCTP" : String(number)) not decoded"
        }
    }

    static func < (lhs: UndecodedCause, rhs: UndecodedCause) -> Bool { lhs.sortKey < rhs.sortKey }

    private var sortKey: (Int, String, UInt32) {
        switch self {
        case .linkType(let type): return (0, "", UInt32(bitPattern: type))
        case .payload(let tunnel, let value): return (1, tunnel.rawValue, value)
        case .truncated(let tunnel): return (2, tunnel.rawValue, 0)
        case .tooDeep: return (3, "", 0)
        case .ipProtocol(let number): return (4, "", UInt32(number))
        }
    }
}

/// What a packet came inside before sigflow reached the IP packet it decoded: the tunnel (the
/// innermost one when tunnels nest) or the HEP capture agent that copied it to a collector.
///
/// A few bytes riding on `PacketStamp`, so every message decoded from the packet carries it and no
/// decoder needs to know about tunnels.
public enum Encapsulation: Hashable, Sendable, CustomStringConvertible {
    /// IPv4 or IPv6 inside IPv4 or IPv6 (protocols 4 and 41).
    case ipInIP
    /// GRE (RFC 2784/2890), with its key when the header has one.
    case gre(key: UInt32?)
    /// PPTP's enhanced GRE (RFC 2637) carrying PPP, with the call id from its key field.
    case pptp(call: UInt16)
    /// GTP-U (3GPP TS 29.281): the tunnel endpoint identifier.
    case gtpU(teid: UInt32)
    /// VXLAN (RFC 7348): the network identifier.
    case vxlan(vni: UInt32)
    /// PPPoE session stage (RFC 2516).
    case pppoe(session: UInt16)
    /// MPLS: the label at the bottom of the stack.
    case mpls(label: UInt32)
    /// ERSPAN types I, II and III: the mirroring session (0 for type I, which has none).
    case erspan(session: UInt16)
    /// Copied by a HEP capture agent (HEP v2/v3) with this capture id: the packet's endpoints and
    /// time are the ones the agent reported, and the frame is the one that carried the HEP packet.
    case hep(agent: UInt32)

    /// As `flows` and the JSON `tunnel` field write it: `gtpu teid 0x0000abcd`, `vxlan vni 42`.
    public var description: String {
        switch self {
        case .ipInIP: return "ipip"
        case .gre(let key?): return "gre key " + Self.hex(key, digits: 8)
        case .gre(nil): return "gre"
        case .pptp(let call): return "pptp call " + Self.hex(UInt32(call), digits: 4)
        case .gtpU(let teid): return "gtpu teid " + Self.hex(teid, digits: 8)
        case .vxlan(let vni): return "vxlan vni \(vni)"
        case .pppoe(let session): return "pppoe session " + Self.hex(UInt32(session), digits: 4)
        case .mpls(let label): return "mpls label \(label)"
        case .erspan(let session): return "erspan session \(session)"
        case .hep(let agent): return "hep agent \(agent)"
        }
    }

    /// The HEP capture agent id, nil for a tunnel.
    public var hepAgent: UInt32? {
        if case .hep(let agent) = self { return agent }
        return nil
    }

    /// The tunnel, nil for a HEP copy.
    public var tunnel: Encapsulation? { hepAgent == nil ? self : nil }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

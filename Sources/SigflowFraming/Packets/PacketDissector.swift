import SigflowCore

/// Turns captured frames into UDP datagrams and TCP segments: strips the link layer, parses IPv4 and
/// IPv6 (with extension headers), reassembles IP fragments and opens tunnels (IP-in-IP, GRE and
/// PPTP, GTP-U, VXLAN, PPPoE, PPP, MPLS, ERSPAN, Cisco HDLC, NFLOG) down to the innermost IP packet,
/// whose endpoints the result carries, with the innermost tunnel on its stamp.
///
/// Anything that is not UDP or TCP over IP returns nil at the first check that rules it out; what
/// sigflow recognises as a container but cannot open is counted (`undecodedDiagnostics`).
public final class PacketDissector {
    private var fragments: IPFragmentReassembler
    /// The datagram reassembled for the previous packet; freed when the next packet is dissected.
    private var reassembled: UnsafeMutableRawBufferPointer?
    /// Packets sigflow could not open, by cause: touched only for such packets.
    private var undecoded: [UndecodedCause: Int] = [:]

    /// How many tunnels inside each other are opened before a packet is given up on.
    static let maxTunnelDepth = 4
    /// Layers (link, tunnel headers, IP) read per packet at most: every tunnel takes a few.
    private static let maxLayers = 8 * (maxTunnelDepth + 1)

    static let gtpUPort: UInt16 = 2152
    static let vxlanPort: UInt16 = 4789

    public init(limits: ReassemblyLimits = ReassemblyLimits()) {
        self.fragments = IPFragmentReassembler(limits: limits)
    }

    deinit {
        reassembled?.deallocate()
    }

    /// Incomplete datagrams dropped by timeout or caps so far.
    public var droppedFragmentedDatagrams: Int { fragments.droppedDatagrams }

    /// One warning per cause of packets not decoded (`312 packets in GRE with protocol 0x880b not
    /// decoded`), in a fixed order.
    public var undecodedDiagnostics: [Diagnostic] {
        undecoded.sorted { $0.key < $1.key }.map {
            Diagnostic(.warning, $0.key.diagnosticName, $0.key.message(count: $0.value))
        }
    }

    @inline(never)
    private func count(_ cause: UndecodedCause) {
        undecoded[cause, default: 0] += 1
    }

    /// The UDP or TCP packet in `frame`, or nil. The result borrows `frame` (or this dissector's
    /// reassembly buffer) and is valid until the next call.
    public func dissect(_ frame: CapturedPacket) -> TransportPacket? {
        if let previous = reassembled {
            previous.deallocate()
            reassembled = nil
        }
        guard var (layer, bytes) = LinkLayer.networkPacket(in: frame.bytes, linkType: frame.linkType) else {
            if !LinkLayer.isKnown(frame.linkType) { count(.linkType(frame.linkType.rawValue)) }
            return nil
        }
        var fragmentCount = 0
        var stamp = frame.stamp
        var tunnels = 0
        /// The IP header around the GRE tunnel being opened, for its outer conversation.
        var outer: IPHeader?
        for _ in 0..<Self.maxLayers {
            guard layer == .ipv4 || layer == .ipv6 else {
                switch TunnelHeaders.open(layer, bytes) {
                case .layer(let next, let inner, let tunnel):
                    if let tunnel {
                        tunnels += 1
                        guard tunnels <= Self.maxTunnelDepth else { break }
                        stamp.encapsulation = tunnel
                    }
                    layer = next
                    bytes = inner
                    continue
                case .stop:
                    return nil
                case .undecoded(let cause):
                    count(cause)
                    // Inside a GRE tunnel (PPTP's encrypted PPP, say), the outer conversation stays
                    // visible: `flows` lists the tunnel it could not open.
                    return outer.map { Self.outerGRE($0, frame: frame) }
                }
                count(.tooDeep)
                return nil
            }
            outer = nil
            let parsed = layer == .ipv4 ? IPHeader.parseIPv4(bytes) : IPHeader.parseIPv6(bytes)
            guard var header = parsed else { return nil }
            if let fragment = header.fragment {
                // A fragment cut by the snapshot length cannot be put back faithfully: a short last
                // fragment would yield a short datagram with nothing saying so. tshark skips it too.
                guard reassembled == nil, header.missingPayloadBytes == 0,
                    let datagram = fragments.add(fragment, of: header, at: frame.stamp.time)
                else { return nil }
                reassembled = datagram.bytes
                header.payload = UnsafeRawBufferPointer(datagram.bytes)
                header.missingPayloadBytes = 0
                header.fragment = nil
                fragmentCount = datagram.frames
                if layer == .ipv6 {
                    guard header.skipIPv6ExtensionHeaders(), header.fragment == nil else { return nil }
                }
            }
            switch header.nextProtocol {
            case IPHeader.protocolUDP:
                guard let udp = Self.udp(header, frame: frame, stamp: stamp, fragmentCount: fragmentCount) else {
                    return nil
                }
                let port = udp.destination.port
                guard port == Self.gtpUPort || udp.source.port == Self.gtpUPort || port == Self.vxlanPort else {
                    return udp
                }
                let opened =
                    port == Self.vxlanPort ? TunnelHeaders.vxlan(udp.payload) : TunnelHeaders.gtpU(udp.payload)
                switch opened {
                case .layer(let next, let inner, let tunnel)?:
                    tunnels += 1
                    guard tunnels <= Self.maxTunnelDepth else {
                        count(.tooDeep)
                        return nil
                    }
                    stamp.encapsulation = tunnel
                    layer = next
                    bytes = inner
                case .undecoded(let cause)?:
                    // The outer datagram stays visible: `flows` lists the tunnel it could not open.
                    count(cause)
                    return udp
                case .stop?:
                    return nil
                case nil:
                    return udp
                }
            case IPHeader.protocolTCP:
                return Self.tcp(header, frame: frame, stamp: stamp, fragmentCount: fragmentCount)
            case IPHeader.protocolIPv4InIP, IPHeader.protocolIPv6InIP:
                tunnels += 1
                guard tunnels <= Self.maxTunnelDepth else {
                    count(.tooDeep)
                    return nil
                }
                stamp.encapsulation = .ipInIP
                layer = header.nextProtocol == IPHeader.protocolIPv4InIP ? .ipv4 : .ipv6
                bytes = header.payload
            case IPHeader.protocolGRE:
                outer = header
                layer = .gre
                bytes = header.payload
            case IPHeader.protocolESP, IPHeader.protocolSCTP:
                count(.ipProtocol(header.nextProtocol))
                return nil
            default:
                return nil
            }
        }
        count(.tooDeep)
        return nil
    }

    /// The GRE conversation between two hosts, for a tunnel whose payload could not be read.
    private static func outerGRE(_ header: IPHeader, frame: CapturedPacket) -> TransportPacket {
        TransportPacket(
            transport: .gre, source: Endpoint(address: header.source, port: 0),
            destination: Endpoint(address: header.destination, port: 0), payload: header.payload,
            missingPayloadBytes: header.missingPayloadBytes, stamp: frame.stamp, wireLength: frame.originalLength)
    }

    @inline(__always)
    private static func udp(
        _ header: IPHeader, frame: CapturedPacket, stamp: PacketStamp, fragmentCount: Int
    ) -> TransportPacket? {
        let bytes = header.payload
        guard bytes.count >= 8 else { return nil }
        let declared = Int(bytes.uint16(at: 4))
        // A zero length is legal for IPv6 jumbograms; otherwise trust the smaller of UDP and IP.
        let datagramLength = declared >= 8 ? declared : bytes.count + header.missingPayloadBytes
        let available = bytes.slice(from: 8, to: datagramLength)
        let announced = max(0, min(datagramLength, bytes.count + header.missingPayloadBytes) - 8)
        return TransportPacket(
            transport: .udp,
            source: Endpoint(address: header.source, port: bytes.uint16(at: 0)),
            destination: Endpoint(address: header.destination, port: bytes.uint16(at: 2)),
            payload: available,
            missingPayloadBytes: max(0, announced - available.count),
            tcp: TCPFields(),
            stamp: stamp,
            wireLength: frame.originalLength,
            fragmentCount: fragmentCount)
    }

    @inline(__always)
    private static func tcp(
        _ header: IPHeader, frame: CapturedPacket, stamp: PacketStamp, fragmentCount: Int
    ) -> TransportPacket? {
        let bytes = header.payload
        guard bytes.count >= 20 else { return nil }
        let dataOffset = Int(bytes.uint8(at: 12) >> 4) * 4
        guard dataOffset >= 20, dataOffset <= bytes.count else { return nil }
        return TransportPacket(
            transport: .tcp,
            source: Endpoint(address: header.source, port: bytes.uint16(at: 0)),
            destination: Endpoint(address: header.destination, port: bytes.uint16(at: 2)),
            payload: bytes.suffix(from: dataOffset),
            missingPayloadBytes: header.missingPayloadBytes,
            tcp: TCPFields(
                sequence: bytes.uint32(at: 4), acknowledgement: bytes.uint32(at: 8), flags: bytes.uint8(at: 13)),
            stamp: stamp,
            wireLength: frame.originalLength,
            fragmentCount: fragmentCount)
    }
}

extension PacketDissector {
    /// The first byte of a UDP payload, found in a few comparisons for the common case (Ethernet,
    /// IPv4 or IPv6 without extension headers, not a fragment), so media and other traffic nobody
    /// decodes can be dropped without dissecting it. Nil when the frame is anything else; then
    /// `dissect` decides. An empty payload reads as 0.
    /// Inlinable: it runs for every packet, before anything else.
    @inlinable @inline(__always)
    public static func udpPayloadFirstByte(_ frame: CapturedPacket) -> UInt8? {
        // Ethernet (link type 1), EtherType IPv4 (0x0800) or IPv6 (0x86DD), IP protocol 17 (UDP).
        guard frame.linkType.rawValue == 1 else { return nil }
        let bytes = frame.bytes
        guard bytes.count >= 14 + 40 + 8 else { return nil }
        let etherType = bytes.uint16(at: 12)
        let transport: Int
        if etherType == 0x0800 {
            let versionAndLength = bytes.uint8(at: 14)
            // No more-fragments flag, fragment offset 0.
            guard versionAndLength >> 4 == 4, bytes.uint8(at: 14 + 9) == 17, bytes.uint16(at: 14 + 6) & 0x3fff == 0
            else { return nil }
            transport = 14 + Int(versionAndLength & 0x0f) * 4
        } else if etherType == 0x86dd {
            guard bytes.uint8(at: 14) >> 4 == 6, bytes.uint8(at: 14 + 6) == 17 else { return nil }
            transport = 14 + 40
        } else {
            return nil
        }
        guard transport + 8 <= bytes.count else { return nil }
        return transport + 8 < bytes.count ? bytes.uint8(at: transport + 8) : 0
    }

    /// The endpoints and payload length of a whole, unfragmented UDP datagram over Ethernet and IPv4
    /// without options checks, read straight from the headers: what counting a media packet needs,
    /// without building a `TransportPacket`. Nil for anything else (VLAN, IPv6, fragments, a datagram
    /// cut by the snapshot length, lengths that disagree); then `dissect` decides, with the same result.
    @inlinable @inline(__always)
    public static func plainUDPv4(
        _ frame: CapturedPacket
    ) -> (source: Endpoint, destination: Endpoint, payloadCount: Int)? {
        guard frame.linkType.rawValue == 1 else { return nil }
        let bytes = frame.bytes
        guard bytes.count >= 14 + 20 + 8, bytes.uint16(at: 12) == 0x0800 else { return nil }
        let versionAndLength = bytes.uint8(at: 14)
        let headerLength = Int(versionAndLength & 0x0f) * 4
        let totalLength = Int(bytes.uint16(at: 14 + 2))
        guard versionAndLength >> 4 == 4, headerLength >= 20, bytes.uint8(at: 14 + 9) == 17,
            bytes.uint16(at: 14 + 6) & 0x3fff == 0, totalLength >= headerLength + 8, 14 + totalLength <= bytes.count
        else { return nil }
        let udp = 14 + headerLength
        let declared = Int(bytes.uint16(at: udp + 4))
        guard declared >= 8 else { return nil }
        return (
            Endpoint(address: .v4(bytes.uint32(at: 14 + 12)), port: bytes.uint16(at: udp)),
            Endpoint(address: .v4(bytes.uint32(at: 14 + 16)), port: bytes.uint16(at: udp + 2)),
            min(declared, totalLength - headerLength) - 8
        )
    }
}

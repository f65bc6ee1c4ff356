import SigflowCore

/// One packet a HEP capture agent (heplify, Kamailio/OpenSIPS siptrace, FreeSWITCH) copied to a
/// collector: the original endpoints, transport and time, the agent's id and what it carries.
///
/// HEP v3 is a "HEP3" header with a total length and typed chunks; HEP v1/v2 a fixed header
/// (version, header length, family, protocol, ports, addresses; v2 adds the time and capture id,
/// little-endian as Kamailio writes them).
public struct HEPPacket {
    /// 17 (UDP), 6 (TCP) or 132 (SCTP), as the agent saw the original packet.
    public var ipProtocol: UInt8
    public var source: Endpoint
    public var destination: Endpoint
    /// Nil when the agent sent no timestamp: the carrying packet's time stands in.
    public var time: CaptureTime?
    public var agent: UInt32
    /// 1 SIP, 5 RTCP, 100 log ... (HEP v1/v2 carry SIP only).
    public var payloadType: UInt8
    /// Borrowed from the carrying packet.
    public var payload: UnsafeRawBufferPointer
    /// The payload is compressed (chunk 16), which sigflow does not inflate.
    public var isCompressed: Bool

    public static let sip: UInt8 = 1

    /// Whether `bytes` start like a HEP packet: "HEP3", or a v1/v2 header's version, length, family
    /// and protocol. A few comparisons, for content sniffing.
    public static func looksLikeHEP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.count >= 6 && bytes.uint32(at: 0) == 0x4845_5033 { return true }
        guard bytes.count >= 16 else { return false }
        let (version, length, family, proto) = (bytes[0], bytes[1], bytes[2], bytes[3])
        return (version == 1 || version == 2) && ((family == 2 && length == 16) || (family == 10 && length == 40))
            && (proto == 6 || proto == 17 || proto == 132)
    }

    /// The total length a HEP3 header announces (for framing a TCP stream), nil when the bytes do
    /// not start with one.
    public static func hep3Length(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 6, bytes.uint32(at: 0) == 0x4845_5033 else { return nil }
        return Int(bytes.uint16(at: 4))
    }

    /// Parses a whole HEP packet; nil when it is not one or lacks what every copy must say (its
    /// endpoints and payload).
    public init?(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count >= 6 && bytes.uint32(at: 0) == 0x4845_5033 {
            self.init(version3: bytes)
        } else {
            self.init(version2: bytes)
        }
    }

    private init?(version3 bytes: UnsafeRawBufferPointer) {
        let total = min(bytes.count, Int(bytes.uint16(at: 4)))
        var family: UInt8?
        var proto: UInt8?
        var source: IPAddress?
        var destination: IPAddress?
        var ports: (UInt16?, UInt16?) = (nil, nil)
        var seconds: UInt32?
        var microseconds: UInt32 = 0
        var agent: UInt32 = 0
        var payloadType: UInt8 = Self.sip
        var payload: UnsafeRawBufferPointer?
        var compressed = false
        var offset = 6
        while offset + 6 <= total {
            let vendor = bytes.uint16(at: offset)
            let type = bytes.uint16(at: offset + 2)
            let length = Int(bytes.uint16(at: offset + 4))
            guard length >= 6, offset + length <= total else { return nil }
            let value = bytes.slice(from: offset + 6, to: offset + length)
            offset += length
            guard vendor == 0 else { continue }
            switch (type, value.count) {
            case (1, 1): family = value[0]
            case (2, 1): proto = value[0]
            case (3, 4): source = .v4(value.uint32(at: 0))
            case (4, 4): destination = .v4(value.uint32(at: 0))
            case (5, 16): source = .v6(high: value.uint64(at: 0), low: value.uint64(at: 8))
            case (6, 16): destination = .v6(high: value.uint64(at: 0), low: value.uint64(at: 8))
            case (7, 2): ports.0 = value.uint16(at: 0)
            case (8, 2): ports.1 = value.uint16(at: 0)
            case (9, 4): seconds = value.uint32(at: 0)
            case (10, 4): microseconds = value.uint32(at: 0)
            case (11, 1): payloadType = value[0]
            // Agents send the capture id as 4 bytes (Kamailio, heplify) or 2 (older ones).
            case (12, 4): agent = value.uint32(at: 0)
            case (12, 2): agent = UInt32(value.uint16(at: 0))
            case (15, _): payload = value
            case (16, _):
                payload = value
                compressed = true
            default: break
            }
        }
        guard family == 2 || family == 10, let proto, let source, let destination, let sourcePort = ports.0,
            let destinationPort = ports.1, let payload
        else { return nil }
        self.ipProtocol = proto
        self.source = Endpoint(address: source, port: sourcePort)
        self.destination = Endpoint(address: destination, port: destinationPort)
        self.time = seconds.map { CaptureTime(seconds: Int64($0), nanoseconds: Int64(microseconds) * 1000) }
        self.agent = agent
        self.payloadType = payloadType
        self.payload = payload
        self.isCompressed = compressed
    }

    private init?(version2 bytes: UnsafeRawBufferPointer) {
        guard Self.looksLikeHEP(bytes) else { return nil }
        let headerLength = Int(bytes[1])
        let isIPv6 = bytes[2] == 10
        let source: IPAddress =
            isIPv6 ? .v6(high: bytes.uint64(at: 8), low: bytes.uint64(at: 16)) : .v4(bytes.uint32(at: 8))
        let destination: IPAddress =
            isIPv6 ? .v6(high: bytes.uint64(at: 24), low: bytes.uint64(at: 32)) : .v4(bytes.uint32(at: 12))
        var payloadStart = headerLength
        time = nil
        agent = 0
        if bytes[0] == 2 {
            // struct hep_timehdr { uint32_t tv_sec, tv_usec; uint16_t captid; }, padded to 12 bytes.
            guard bytes.count >= headerLength + 12 else { return nil }
            let little = { (offset: Int) in
                UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: headerLength + offset, as: UInt32.self))
            }
            time = CaptureTime(seconds: Int64(little(0)), nanoseconds: Int64(little(4)) * 1000)
            agent = UInt32(
                UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: headerLength + 8, as: UInt16.self)))
            payloadStart += 12
        }
        guard bytes.count > payloadStart else { return nil }
        ipProtocol = bytes[3]
        self.source = Endpoint(address: source, port: bytes.uint16(at: 4))
        self.destination = Endpoint(address: destination, port: bytes.uint16(at: 6))
        payloadType = Self.sip
        payload = bytes.suffix(from: payloadStart)
        isCompressed = false
    }

    /// The packet as the agent saw it, stamped with the agent's time and id and the carrying frame.
    public func transportPacket(carriedBy stamp: PacketStamp) -> TransportPacket {
        TransportPacket(
            transport: ipProtocol == 6 ? .tcp : .udp, source: source, destination: destination, payload: payload,
            stamp: PacketStamp(time: time ?? stamp.time, source: stamp.source, encapsulation: .hep(agent: agent)),
            wireLength: payload.count)
    }
}

import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowFraming

/// Link layers, IP header variants and IP-in-IP: the same datagrams and streams must come out whatever
/// wraps them.
@Suite struct LinkLayerTests {
    static let v4 = (endpoint("10.1.0.1:5060"), endpoint("10.1.0.2:5061"))
    static let v6 = (endpoint("[2001:db8::a]:5060"), endpoint("[2001:db8::b]:5061"))

    /// A UDP exchange and a TCP connection in every framing, over IPv4 and IPv6.
    @Test(arguments: LinkFraming.allCases, [false, true])
    func everyFramingCarriesUDPAndTCP(framing: LinkFraming, ipv6: Bool) throws {
        let (a, b) = ipv6 ? Self.v6 : Self.v4
        var fixture = Fixture(framing, ipv6: ipv6)
        fixture.add(udpPacket(from: a, to: b, payload: Array("REGISTER".utf8)))  // 1
        fixture.add(udpPacket(from: b, to: a, payload: Array("401".utf8)))  // 2
        var tcp = TCPConversation(fixture, client: a, server: b)
        tcp.handshake()  // 3-5
        tcp.fromClient(at: 0, "INVITE")  // 6
        tcp.fromServer(at: 0, "100 Trying")  // 7
        let run = try runPipeline(tcp.fixture)

        #expect(run.packets.count == 7)
        #expect(run.packets.prefix(2).map(\.payload) == [Array("REGISTER".utf8), Array("401".utf8)])
        #expect(run.packets.prefix(2).map(\.source) == [a, b])
        #expect(run.flows.count == 2)
        let udp = try #require(run.flows.first { $0.transport == .udp })
        let ipHeader = ipv6 ? 40 : 20
        #expect(udp.a == a && udp.b == b)
        #expect(udp.bytesAToB == framing.headerLength + ipHeader + 8 + 8)
        #expect(udp.bytesBToA == framing.headerLength + ipHeader + 8 + 3)
        #expect(run.stream.bytes(.fromClient) == Array("INVITE".utf8))
        #expect(run.stream.bytes(.fromServer) == Array("100 Trying".utf8))
        #expect(run.captures.first?.frames == 7)
    }

    /// Ethernet pads short frames to 60 bytes: the padding is not payload.
    @Test func ethernetPaddingIsNotPayload() throws {
        var fixture = Fixture()
        let frame = LinkFraming.ethernet.frame(udpPacket(from: Self.v4.0, to: Self.v4.1, payload: [0x41, 0x42]))
        fixture.addFrame(frame + [UInt8](repeating: 0xee, count: 60 - frame.count))
        var tcp = TCPConversation(fixture)
        tcp.handshake()
        let padded = LinkFraming.ethernet.frame(
            tcpPacket(from: tcp.client, to: tcp.server, sequence: 1001, flags: TCPFlag.ack, payload: [0x43]))
        tcp.fixture.addFrame(padded + [UInt8](repeating: 0xee, count: 60 - padded.count))
        let run = try runPipeline(tcp.fixture)
        #expect(run.packets.first?.payload == [0x41, 0x42])
        #expect(run.packets.first?.wireLength == 60)
        #expect(run.stream.bytes(.fromClient) == [0x43])
    }

    /// IPv4 options, and a total length of 0 as TCP segmentation offload leaves it on the sending host.
    @Test func ipv4OptionsAndZeroTotalLength() throws {
        var fixture = Fixture()
        let datagram = Transport.udp(from: 1, to: 2, payload: Array("with options".utf8))
        fixture.add(
            IPv4.packet(
                from: Self.v4.0.address, to: Self.v4.1.address, protocol: IPProtocol.udp, payload: datagram,
                options: [0x94, 0x04, 0x00, 0x00]))  // router alert
        let segment = Transport.tcp(from: 40000, to: 80, sequence: 1, flags: TCPFlag.ack, payload: Array("tso".utf8))
        fixture.add(
            IPv4.packet(
                from: Self.v4.0.address, to: Self.v4.1.address, protocol: IPProtocol.tcp, payload: segment,
                totalLength: 0))
        let run = try runPipeline(fixture)
        #expect(run.packets.map(\.payload) == [Array("with options".utf8), Array("tso".utf8)])
    }

    /// IPv6 extension headers in front of the transport header are stepped over; ESP is not.
    @Test func ipv6ExtensionHeaderChain() throws {
        var fixture = Fixture()
        fixture.add(
            IPv6.packet(
                from: Self.v6.0.address, to: Self.v6.1.address, nextHeader: IPProtocol.udp,
                payload: Transport.udp(from: 5060, to: 5061, payload: Array("chained".utf8)),
                extensions: [.hopByHop, .routing, .destinationOptions(extraUnits: 2)]))
        fixture.add(
            IPv6.packet(
                from: Self.v6.0.address, to: Self.v6.1.address, nextHeader: 50, payload: patternBytes(40)))  // ESP
        let run = try runPipeline(fixture)
        #expect(run.packets.map(\.payload) == [Array("chained".utf8)])
        #expect(run.packets.first?.source == endpoint("[2001:db8::a]:5060"))
    }

    /// IP-in-IP in all four combinations: the conversation is between the inner endpoints.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func ipInIPShowsTheInnerEndpoints(outerIPv6: Bool, innerIPv6: Bool) throws {
        let (a, b) = innerIPv6 ? Self.v6 : Self.v4
        let outer =
            outerIPv6 ? (ip("2001:db8:ffff::1"), ip("2001:db8:ffff::2")) : (ip("198.51.100.1"), ip("198.51.100.2"))
        var fixture = Fixture()
        fixture.add(tunnel(udpPacket(from: a, to: b, payload: Array("tunnelled".utf8)), from: outer.0, to: outer.1))
        fixture.add(
            tunnel(
                tcpPacket(from: b, to: a, sequence: 1, flags: TCPFlag.ack, payload: Array("tcp".utf8)), from: outer.0,
                to: outer.1))
        let run = try runPipeline(fixture)
        #expect(run.packets.map(\.payload) == [Array("tunnelled".utf8), Array("tcp".utf8)])
        #expect(run.packets.map(\.source) == [a, b])
        #expect(run.flows.map(\.a).sorted() == [a, b].sorted())
    }

    /// Tunnels nested deeper than `PacketDissector.maxTunnelDepth` are given up, not followed forever.
    @Test func tunnelsNestedTooDeepAreDropped() throws {
        var fixture = Fixture()
        for depth in [4, 5] {
            var packet = udpPacket(from: Self.v4.0, to: Self.v4.1, payload: [UInt8(depth)])
            for _ in 0..<depth {
                packet = IPv4.packet(from: ip("198.51.100.1"), to: ip("198.51.100.2"), protocol: 4, payload: packet)
            }
            fixture.add(packet)
        }
        let run = try runPipeline(fixture)
        #expect(run.packets.map(\.payload) == [[4]])
    }

    /// Frames that are not IP over a known link type produce nothing.
    @Test func nonIPFramesAreIgnored() throws {
        var fixture = Fixture()
        fixture.addFrame(LinkFrame.ethernet(patternBytes(28), etherType: 0x0806))  // ARP
        // Tagged "IPv4" that is not, and an IPv4 header of one byte.
        fixture.addFrame(LinkFrame.ethernet([0] + patternBytes(39), etherType: 0x0800, tags: [(0x8100, 1)]))
        fixture.addFrame(LinkFrame.ethernet([0x45], etherType: 0x0800))
        fixture.add(IPv4.packet(from: ip("10.0.0.1"), to: ip("10.0.0.2"), protocol: IPProtocol.icmp, payload: [8, 0]))
        let run = try runPipeline(fixture)
        #expect(run.packets.count == 0)
        #expect(run.captures.first?.frames == 4)
    }

    /// Every prefix of valid frames of every framing, and frames with single bytes flipped, go through
    /// the dissector without a crash (the parsers read unchecked on the hot path, so their bounds
    /// checks are what stands between a hostile capture and a trap).
    @Test(arguments: LinkFraming.allCases)
    func truncatedAndCorruptedFramesNeverCrash(framing: LinkFraming) {
        let packets = [
            udpPacket(from: Self.v4.0, to: Self.v4.1, payload: patternBytes(30)),
            tcpPacket(from: Self.v6.0, to: Self.v6.1, sequence: 9, payload: patternBytes(30)),
            IPv6.packet(
                from: Self.v6.0.address, to: Self.v6.1.address, nextHeader: IPProtocol.udp,
                payload: Transport.udp(from: 1, to: 2, payload: [1, 2, 3]),
                extensions: [.hopByHop, .fragment(offset: 8, moreFragments: true, identification: 3)]),
            IPv4.packet(
                from: ip("1.1.1.1"), to: ip("2.2.2.2"), protocol: 4,
                payload: udpPacket(from: Self.v4.0, to: Self.v4.1, payload: [7])),
        ]
        let dissector = PacketDissector()
        var seen = 0
        for packet in packets {
            let frame = framing.frame(packet)
            var variants = (0...frame.count).map { Array(frame.prefix($0)) }
            for index in frame.indices {
                for flip: UInt8 in [0xff, 0x80, 0x0f] {
                    var corrupted = frame
                    corrupted[index] ^= flip
                    variants.append(corrupted)
                }
            }
            for bytes in variants {
                bytes.withUnsafeBytes { raw in
                    let captured = CapturedPacket(
                        bytes: raw, originalLength: frame.count,
                        stamp: PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1)),
                        linkType: LinkType(rawValue: framing.linkType(ipv6: (packet[0] >> 4) == 6)))
                    if dissector.dissect(captured) != nil { seen += 1 }
                }
            }
        }
        #expect(seen > 0)
    }
}

import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowFraming

/// IPv4 and IPv6 fragment reassembly: any order, overlaps (first copy wins), incomplete datagrams never
/// delivered, and a reassembled datagram counted once, in the frame that completed it (as tshark does).
@Suite struct IPFragmentTests {
    static let client = endpoint("192.0.2.1:5060")
    static let server = endpoint("192.0.2.2:5060")
    static let client6 = endpoint("[2001:db8::1]:5060")
    static let server6 = endpoint("[2001:db8::2]:5062")

    /// The bytes a reassembler that keeps the first copy of every byte produces from `fragments`
    /// (offset, bytes) applied in the given order.
    static func firstCopyWins(_ fragments: [(offset: Int, bytes: [UInt8])], total: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: total)
        var covered = [Bool](repeating: false, count: total)
        for fragment in fragments {
            for (index, byte) in fragment.bytes.enumerated() where !covered[fragment.offset + index] {
                result[fragment.offset + index] = byte
                covered[fragment.offset + index] = true
            }
        }
        return result
    }

    @Test(arguments: [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1], [0, 2, 1]])
    func ipv4FragmentsInAnyOrder(order: [Int]) throws {
        let message = patternBytes(2990, seed: 11)
        let datagram = Transport.udp(from: Self.client.port, to: Self.server.port, payload: message)
        let fragments = IPv4.fragments(
            from: Self.client.address, to: Self.server.address, protocol: IPProtocol.udp, payload: datagram, count: 3)
        var fixture = Fixture()
        for index in order { fixture.add(fragments[index]) }
        fixture.add(udpPacket(from: Self.server, to: Self.client, payload: Array("200 OK".utf8)))  // 4
        let run = try runPipeline(fixture)

        #expect(run.packets.count == 2)
        let packet = try #require(run.packets.first)
        #expect(packet.transport == .udp)
        #expect(packet.source == Self.client && packet.destination == Self.server)
        #expect(packet.payload == message)
        #expect(packet.missingPayloadBytes == 0)
        #expect(packet.fragmentCount == 3)
        // The datagram belongs to the frame that completed it: always the third here.
        #expect(packet.frame == 3)
        #expect(packet.wireLength == 14 + fragments[order[2]].count)
        let flow = run.flow
        #expect(flow.a == Self.client && flow.framesAToB == 1 && flow.framesBToA == 1)
        #expect(flow.bytesAToB == 14 + fragments[order[2]].count)
        #expect(flow.payloadBytesAToB == 2990 && flow.payloadBytesBToA == 6)
        #expect(flow.first == Fixture.time(ofFrame: 3))
    }

    /// Overlapping fragments with different bytes: every byte comes from the first fragment that
    /// carried it, whatever the arrival order.
    @Test(arguments: [[0, 1, 2], [1, 0, 2], [2, 1, 0], [1, 2, 0]])
    func ipv4OverlappingFragmentsKeepTheFirstCopy(order: [Int]) throws {
        let datagram = Transport.udp(from: Self.client.port, to: Self.server.port, payload: patternBytes(1992, seed: 5))
        let pieces: [(offset: Int, bytes: [UInt8])] = [
            (0, Array(datagram[0..<1008])),
            (800, [UInt8](repeating: 0x5a, count: 808)),  // [800, 1608): overlaps both neighbours
            (1600, Array(datagram[1600..<2000])),
        ]
        var fixture = Fixture()
        for index in order {
            fixture.add(
                IPv4.packet(
                    from: Self.client.address, to: Self.server.address, protocol: IPProtocol.udp,
                    payload: pieces[index].bytes, identification: 77, moreFragments: index < 2,
                    fragmentOffset: pieces[index].offset))
        }
        let run = try runPipeline(fixture)

        let expected = Self.firstCopyWins(order.map { pieces[$0] }, total: 2000)
        let packet = try #require(run.packets.first)
        #expect(run.packets.count == 1)
        #expect(packet.payload == Array(expected[8...]))
        #expect(packet.frame == 3)
    }

    /// Fragments of a datagram that never completes: nothing is delivered, nothing counted, and the
    /// pieces are dropped after `fragmentTimeoutSeconds`; a fragment arriving after that starts over.
    @Test func incompleteDatagramIsNeverDelivered() throws {
        let datagram = Transport.udp(from: Self.client.port, to: Self.server.port, payload: patternBytes(2990))
        let fragments = IPv4.fragments(
            from: Self.client.address, to: Self.server.address, protocol: IPProtocol.udp, payload: datagram, count: 3)
        var fixture = Fixture()
        fixture.add(fragments[0])
        fixture.add(fragments[2])
        fixture.wait(seconds: 31)
        fixture.add(udpPacket(from: Self.server, to: Self.client, payload: [1]))  // expires the pieces
        fixture.add(fragments[1])  // too late: its siblings are gone
        let run = try runPipeline(fixture)

        #expect(run.packets.map(\.frame) == [3])
        #expect(run.flows.count == 1 && run.flow.a == Self.server)
        #expect(run.droppedFragmentedDatagrams == 1)
    }

    /// Past `maxPendingDatagrams` incomplete datagrams the oldest eighth is dropped in one go: the
    /// newest can still complete, the oldest cannot.
    @Test func aFullTableDropsTheOldestEighth() throws {
        var limits = ReassemblyLimits()
        limits.maxPendingDatagrams = 16
        let datagrams = (0..<17).map { index in
            IPv4.fragments(
                from: Self.client.address, to: Self.server.address, protocol: IPProtocol.udp,
                payload: Transport.udp(from: Self.client.port, to: Self.server.port, payload: patternBytes(1000)),
                count: 2, identification: UInt16(index))
        }
        var fixture = Fixture()
        for fragments in datagrams { fixture.add(fragments[0]) }
        let newest = fixture.add(datagrams[16][1])
        fixture.add(datagrams[1][1])
        let run = try runPipeline(fixture, limits: limits)

        // The seventeenth pushed out the two oldest, the second of them included.
        #expect(run.packets.map(\.frame) == [newest])
        #expect(run.droppedFragmentedDatagrams == 2)
    }

    /// Fragments the snapshot length cut cannot be reassembled (tshark does not try either): the
    /// datagram is not delivered rather than delivered short.
    @Test(arguments: [0, 2])
    func snaplenCutFragmentIsNotReassembled(cut: Int) throws {
        let datagram = Transport.udp(from: Self.client.port, to: Self.server.port, payload: patternBytes(1400))
        let fragments = IPv4.fragments(
            from: Self.client.address, to: Self.server.address, protocol: IPProtocol.udp, payload: datagram, count: 3)
        var fixture = Fixture()
        for index in 0..<3 where index != cut { fixture.add(fragments[index]) }
        let frame = LinkFraming.ethernet.frame(fragments[cut])
        fixture.addFrame(frame, keeping: frame.count - 10)
        let run = try runPipeline(fixture)

        #expect(run.packets.count == 0)
        #expect(run.flows.count == 0)
    }

    /// IPv6 fragments (a hop-by-hop header in front of the fragment header, destination options inside
    /// the fragmentable part) in any order.
    @Test(arguments: [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]])
    func ipv6FragmentsInAnyOrder(order: [Int]) throws {
        let message = patternBytes(4000, seed: 21)
        let fragmentable =
            IPv6Extension.destinationOptions(extraUnits: 1).bytes(next: IPProtocol.udp)
            + Transport.udp(from: Self.client6.port, to: Self.server6.port, payload: message)
        let fragments = IPv6.fragments(
            from: Self.client6.address, to: Self.server6.address, nextHeader: IPProtocol.destinationOptions,
            payload: fragmentable, count: 4, unfragmentable: [.hopByHop])
        var fixture = Fixture(.sll)
        for index in order { fixture.add(fragments[index]) }
        let run = try runPipeline(fixture)

        let packet = try #require(run.packets.first)
        #expect(run.packets.count == 1)
        #expect(packet.source == Self.client6 && packet.destination == Self.server6)
        #expect(packet.payload == message)
        #expect(packet.fragmentCount == 4)
        #expect(packet.frame == 4)
        #expect(packet.wireLength == 16 + fragments[order[3]].count)
        #expect(run.flow.a == Self.client6 && run.flow.payloadBytesAToB == 4000)
    }

    @Test(arguments: [[0, 1, 2], [1, 0, 2], [2, 1, 0]])
    func ipv6OverlappingFragmentsKeepTheFirstCopy(order: [Int]) throws {
        let datagram = Transport.udp(
            from: Self.client6.port, to: Self.server6.port, payload: patternBytes(1992, seed: 8))
        let pieces: [(offset: Int, bytes: [UInt8])] = [
            (0, Array(datagram[0..<1008])),
            (800, [UInt8](repeating: 0x5a, count: 808)),
            (1600, Array(datagram[1600..<2000])),
        ]
        var fixture = Fixture()
        for index in order {
            fixture.add(
                IPv6.packet(
                    from: Self.client6.address, to: Self.server6.address, nextHeader: IPProtocol.udp,
                    payload: pieces[index].bytes,
                    extensions: [.fragment(offset: pieces[index].offset, moreFragments: index < 2, identification: 9)]))
        }
        let run = try runPipeline(fixture)

        let expected = Self.firstCopyWins(order.map { pieces[$0] }, total: 2000)
        let packet = try #require(run.packets.first)
        #expect(packet.payload == Array(expected[8...]))
    }

    /// An atomic fragment (offset 0, no more fragments: RFC 6946) is a whole datagram.
    @Test func ipv6AtomicFragmentIsAWholeDatagram() throws {
        var fixture = Fixture()
        fixture.add(
            IPv6.packet(
                from: Self.client6.address, to: Self.server6.address, nextHeader: IPProtocol.udp,
                payload: Transport.udp(from: 5060, to: 5062, payload: Array("atomic".utf8)),
                extensions: [.fragment(offset: 0, moreFragments: false, identification: 1)]))
        let run = try runPipeline(fixture)
        #expect(run.packets.map(\.payload) == [Array("atomic".utf8)])
        #expect(run.packets.first?.fragmentCount == 0)
    }

    /// A fragmented outer IPv4 packet that carries a tunnelled IPv4/UDP datagram: reassembled, then
    /// unwrapped.
    @Test func fragmentedTunnelIsReassembledThenUnwrapped() throws {
        let inner = udpPacket(from: Self.client, to: Self.server, payload: patternBytes(3000, seed: 2))
        let fragments = IPv4.fragments(
            from: ip("198.51.100.1"), to: ip("198.51.100.2"), protocol: IPProtocol.ipv4, payload: inner, count: 3)
        var fixture = Fixture()
        for fragment in fragments.reversed() { fixture.add(fragment) }
        let run = try runPipeline(fixture)
        let packet = try #require(run.packets.first)
        #expect(packet.source == Self.client && packet.destination == Self.server)
        #expect(packet.payload == patternBytes(3000, seed: 2))
        #expect(packet.frame == 3)
    }
}

import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowFraming

/// Connection life cycle: picking a stream up mid-way, SYN/FIN/RST, port reuse, idle eviction.
@Suite struct TCPConnectionTests {
    /// No SYN in the capture: bytes are delivered from the first segment seen, the first sender is A,
    /// and the statistics say the stream was joined mid-way.
    @Test func streamPickedUpMidwayDeliversFromTheFirstSegmentSeen() throws {
        var tcp = TCPConversation(clientISN: 7_000_000, serverISN: 9_000_000)
        tcp.fromClient(at: 300, "ER sip:x SIP/2.0\r\n")  // 1: the middle of a message
        tcp.fromServer(at: 80, "SIP/2.0 200 OK\r\n")  // 2
        tcp.fromClient(at: 318, "\r\n")  // 3
        tcp.fromClient(at: 250, "old bytes before the first seen")  // 4: before where we joined
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "ER sip:x SIP/2.0\#r\#n" @1"#, "bytes \"\r\n\" @3", "end capture-ended @4",
            ])
        #expect(run.stream.log(.fromServer) == [#"bytes "SIP/2.0 200 OK\#r\#n" @2"#, "end capture-ended @4"])
        #expect(run.flow.a == tcp.client && run.flow.b == tcp.server)
        #expect(run.flow.streamAToB?.pickedUpMidway == true && run.flow.streamBToA?.pickedUpMidway == true)
        #expect(run.flow.streamAToB?.retransmissions == 1)
    }

    /// The capture starts with the SYN/ACK: the client is still the side that sent the SYN (A), not
    /// the first sender seen.
    @Test func synAckSeenFirstStillNamesTheClient() throws {
        var tcp = TCPConversation()
        tcp.fixture.add(
            tcpPacket(
                from: tcp.server, to: tcp.client, sequence: 5000, acknowledgement: 1001,
                flags: TCPFlag.syn | TCPFlag.ack))  // 1
        tcp.fromClient(at: 0, "request")  // 2
        tcp.fromServer(at: 0, "reply")  // 3
        let run = try runPipeline(tcp.fixture)

        #expect(run.flow.a == tcp.client && run.flow.b == tcp.server)
        #expect(run.flow.framesAToB == 1 && run.flow.framesBToA == 2)
        #expect(run.stream.info.client == tcp.client)
        #expect(run.stream.bytes(.fromClient) == Array("request".utf8))
        #expect(run.stream.bytes(.fromServer) == Array("reply".utf8))
        #expect(run.flow.streamBToA?.pickedUpMidway == false)
    }

    /// Data on a SYN (TCP Fast Open) comes after the SYN's sequence number.
    @Test func dataOnTheSynIsDelivered() throws {
        var tcp = TCPConversation()
        tcp.fixture.add(
            tcpPacket(
                from: tcp.client, to: tcp.server, sequence: 1000, flags: TCPFlag.syn, payload: Array("early".utf8)))
        tcp.fromClient(at: 5, " and late")
        let run = try runPipeline(tcp.fixture)
        #expect(
            run.stream.log(.fromClient) == [#"bytes "early" @1"#, #"bytes " and late" @2"#, "end capture-ended @2"])
    }

    /// A FIN that carries data, and a FIN that arrives before the data in front of it: the direction
    /// ends once every byte up to the FIN is delivered, stamped with the frame that completed it.
    @Test func finWithDataAndFinOutOfOrder() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "bye", flags: TCPFlag.fin | TCPFlag.ack | TCPFlag.psh)  // 4
        tcp.fromServer(at: 5, "later", flags: TCPFlag.fin | TCPFlag.ack)  // 5: FIN before [0, 5)
        tcp.fromServer(at: 0, "early")  // 6
        tcp.fromClient(at: 3, "after fin")  // 7: nothing may follow a FIN
        let run = try runPipeline(tcp.fixture)

        #expect(run.stream.log(.fromClient) == [#"bytes "bye" @4"#, "end fin @4"])
        #expect(run.stream.log(.fromServer) == [#"bytes "early" @6"#, #"bytes "later" @6"#, "end fin @6"])
        #expect(run.flow.streamAToB?.retransmissions == 1)
    }

    /// A reset ends the whole connection, both directions, at the RST's frame; what follows in either
    /// direction is not delivered.
    @Test(arguments: [true, false])
    func resetEndsBothDirections(fromClient: Bool) throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "hello")  // 4
        tcp.fromServer(at: 0, "hi")  // 5
        let rst =
            fromClient
            ? tcp.fromClient(at: 5, [], flags: TCPFlag.rst | TCPFlag.ack)
            : tcp.fromServer(at: 2, [], flags: TCPFlag.rst | TCPFlag.ack)  // 6
        tcp.fromClient(at: 5, "more")  // 7
        tcp.fromServer(at: 2, "more")  // 8
        let run = try runPipeline(tcp.fixture)

        #expect(run.stream.log(.fromClient) == [#"bytes "hello" @4"#, "end reset @\(rst)"])
        #expect(run.stream.log(.fromServer) == [#"bytes "hi" @5"#, "end reset @\(rst)"])
        #expect(run.flow.streamAToB?.endReason == .reset && run.flow.streamBToA?.endReason == .reset)
        #expect(run.flow.framesAToB + run.flow.framesBToA == 8)
    }

    /// The same four-tuple used again after both sides closed: a new SYN starts a new conversation,
    /// with its own counts and its own stream.
    @Test(arguments: ["fin", "rst"])
    func portReuseAfterCloseStartsANewConversation(close: String) throws {
        var first = TCPConversation()
        first.handshake()  // 1-3
        first.fromClient(at: 0, "first")  // 4
        if close == "fin" {
            first.clientFIN(at: 5)  // 5
            first.serverFIN(at: 0)  // 6
        } else {
            first.fromServer(at: 0, [], flags: TCPFlag.rst | TCPFlag.ack)  // 5
            first.fromServer(at: 0, [], flags: TCPFlag.rst | TCPFlag.ack)  // 6: a second RST, still one conversation
        }
        var second = TCPConversation(first.fixture, clientISN: 800_000, serverISN: 900_000)
        second.handshake()  // 7-9
        second.fromClient(at: 0, "second")  // 10
        second.fromServer(at: 0, "reply")  // 11
        let run = try runPipeline(second.fixture)

        try #require(run.flows.count == 2)
        try #require(run.streams.count == 2)
        let (old, new) = (run.flows[0], run.flows[1])
        #expect(old.first == Fixture.time(ofFrame: 1) && new.first == Fixture.time(ofFrame: 7))
        #expect(old.framesAToB + old.framesBToA == 6 && new.framesAToB + new.framesBToA == 5)
        #expect(new.a == second.client && new.framesAToB == 3 && new.framesBToA == 2)
        #expect(run.streams[0].bytes(.fromClient) == Array("first".utf8))
        #expect(run.streams[1].bytes(.fromClient) == Array("second".utf8))
        #expect(run.streams[1].bytes(.fromServer) == Array("reply".utf8))
        #expect(run.streams[1].chunks(.fromClient).map(\.frame) == [10])
    }

    /// A consumer picked only on a later chunk is first told, as a gap, about the bytes that went by
    /// before it (here the client's first 4 bytes), so it never takes a joined stream for a whole one.
    @Test func consumerPickedLateIsToldWhatItMissed() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "junk")  // 4: classifier undecided
        tcp.fromServer(at: 0, "reply")  // 5: consumer picked
        tcp.fromClient(at: 4, "more")  // 6
        let run = try runPipeline(tcp.fixture, classifier: RecordingClassifier(undecidedChunks: 1))

        #expect(run.stream.log(.fromClient) == ["gap 4 @4", #"bytes "more" @6"#, "end capture-ended @6"])
        #expect(run.stream.log(.fromServer) == [#"bytes "reply" @5"#, "end capture-ended @6"])
        // Statistics still count what reassembly delivered, whoever consumed it.
        #expect(run.flow.streamAToB?.deliveredBytes == 8 && run.flow.streamAToB?.gaps == 0)
    }

    /// A SYN retransmitted inside a live connection is not port reuse.
    @Test func retransmittedSynIsTheSameConversation() throws {
        var tcp = TCPConversation()
        tcp.fixture.add(tcpPacket(from: tcp.client, to: tcp.server, sequence: 1000, flags: TCPFlag.syn))
        tcp.handshake()
        tcp.fromClient(at: 0, "data")
        let run = try runPipeline(tcp.fixture)
        #expect(run.flows.count == 1)
        #expect(run.flow.framesAToB == 4)
        #expect(run.stream.bytes(.fromClient) == Array("data".utf8))
    }

    /// Flows silent for longer than `idleTimeoutSeconds` of capture time are ended (TCP with
    /// `idle-timeout`) when the sweep runs; a later packet on the same endpoints opens a new flow.
    @Test func idleFlowsAreEvicted() throws {
        var limits = ReassemblyLimits()
        limits.idleTimeoutSeconds = 30
        var tcp = TCPConversation()
        let a = endpoint("10.0.0.5:5060")
        let b = endpoint("10.0.0.6:5060")
        tcp.fixture.add(udpPacket(from: a, to: b, payload: Array("ping".utf8)))  // 1
        tcp.handshake()  // 2-4
        tcp.fromClient(at: 0, "open")  // 5
        tcp.fixture.wait(seconds: 45)
        tcp.fixture.add(udpPacket(from: endpoint("10.0.0.7:1"), to: b, payload: [1]))  // 6: runs the sweep
        let pongTime = tcp.fixture.clock
        tcp.fixture.add(udpPacket(from: b, to: a, payload: Array("pong".utf8)))  // 7: same endpoints as 1
        let run = try runPipeline(tcp.fixture, limits: limits)

        #expect(run.flows.count == 4)
        #expect(run.stream.log(.fromClient) == [#"bytes "open" @5"#, "end idle-timeout @6"])
        #expect(run.stream.log(.fromServer) == ["end idle-timeout @6"])
        let evicted = run.flows.prefix(2)
        #expect(Set(evicted.map(\.transport)) == [.udp, .tcp])
        #expect(evicted.first { $0.transport == .tcp }?.streamAToB?.endReason == .idleTimeout)
        let pair = run.flows.filter { Set([$0.a, $0.b]) == [a, b] }
        #expect(pair.map(\.first).sorted() == [Fixture.time(ofFrame: 1), pongTime])
        #expect(run.flows.last?.a == b && run.flows.last?.framesAToB == 1 && run.flows.last?.framesBToA == 0)
    }

    /// A connection closed both ways leaves the table once TIME-WAIT is over (`closedFlowGraceSeconds`)
    /// instead of after the hour-long idle timeout: a segment after that opens a new flow, one within
    /// it still belongs to the old one. A half-closed connection stays.
    @Test(arguments: [(quiet: 250.0, bothClosed: true, tcpRows: 2), (200.0, true, 1), (250.0, false, 1)])
    func closedConnectionsLeaveAfterTimeWait(quiet: Double, bothClosed: Bool, tcpRows: Int) throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "bye")
        tcp.clientFIN(at: 3)
        if bothClosed { tcp.serverFIN(at: 0) }
        tcp.fixture.wait(seconds: quiet)
        tcp.fixture.add(udpPacket(from: endpoint("10.0.0.7:1"), to: endpoint("10.0.0.8:1"), payload: [1]))  // sweep
        tcp.fromClient(at: 4, [], flags: TCPFlag.ack)  // a late ACK
        let run = try runPipeline(tcp.fixture)
        #expect(run.flows.filter { $0.transport == .tcp }.count == tcpRows)
        #expect(run.diagnosticNames.isEmpty)
    }

    /// More conversations than `maxFlows`: the longest-idle eighth is ended at once, with one warning
    /// per batch, so a flood of new flows costs one sort per batch rather than a scan per flow.
    @Test func aFullTableEndsTheLongestIdleEighth() throws {
        var limits = ReassemblyLimits()
        limits.maxFlows = 16
        var fixture = Fixture()
        for port in 0..<40 {
            fixture.add(udpPacket(from: endpoint("10.0.0.2:\(1000 + port)"), to: endpoint("10.0.0.1:53"), payload: [0]))
        }
        let run = try runPipeline(fixture, limits: limits)
        // Two flows go for every two new ones past the sixteenth, oldest first; the rest end with the capture.
        #expect(run.flows.map(\.a.port) == (0..<40).map { UInt16(1000 + $0) })
        #expect(run.diagnosticNames == Array(repeating: "flow_table_full", count: 12))
    }

    /// More conversations than `maxFlows`: the longest idle is ended early, with a warning.
    @Test func flowTableFullEvictsTheLongestIdle() throws {
        var limits = ReassemblyLimits()
        limits.maxFlows = 2
        var fixture = Fixture()
        let server = endpoint("10.0.0.1:53")
        for port in [1000, 1001, 1000, 1002] as [UInt16] {
            fixture.add(udpPacket(from: endpoint("10.0.0.2:\(port)"), to: server, payload: [0]))
        }
        let run = try runPipeline(fixture, limits: limits)
        #expect(run.flows.map(\.a.port) == [1001, 1000, 1002])
        #expect(run.flows.map(\.framesAToB) == [1, 2, 1])
        #expect(run.diagnosticNames == ["flow_table_full"])
    }
}

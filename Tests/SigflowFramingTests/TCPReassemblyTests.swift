import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowFraming

/// TCP reassembly through the whole capture path (pcap file -> CaptureReader -> PacketDissector ->
/// FlowTable -> consumer): which bytes come out, in which chunks, stamped with which frame.
@Suite struct TCPReassemblyTests {
    @Test func inOrderSegmentsAreDeliveredAsTheyArriveWithTheirFrames() throws {
        var tcp = TCPConversation()
        tcp.handshake()  // frames 1-3
        tcp.fromClient(at: 0, "hello ")  // 4
        tcp.fromServer(at: 0, "OK")  // 5
        tcp.fromClient(at: 6, "world")  // 6
        tcp.clientFIN(at: 11)  // 7
        tcp.serverFIN(at: 2)  // 8
        let run = try runPipeline(tcp.fixture)

        #expect(run.stream.log(.fromClient) == [#"bytes "hello " @4"#, #"bytes "world" @6"#, "end fin @7"])
        #expect(run.stream.log(.fromServer) == [#"bytes "OK" @5"#, "end fin @8"])
        #expect(run.stream.info.client == tcp.client)
        #expect(run.stream.info.server == tcp.server)
        // Each chunk carries the time of its frame, not only the frame number.
        let times = run.stream.events(.fromClient).map(\.stamp.time)
        #expect(times == [4, 6, 7].map { Fixture.time(ofFrame: $0) })

        let flow = run.flow
        #expect(flow.transport == .tcp)
        #expect(flow.a == tcp.client && flow.b == tcp.server)
        #expect(flow.framesAToB == 5 && flow.framesBToA == 3)
        #expect(flow.bytesAToB == 5 * 54 + 11 && flow.bytesBToA == 3 * 54 + 2)
        #expect(flow.payloadBytesAToB == 11 && flow.payloadBytesBToA == 2)
        #expect(flow.first == Fixture.time(ofFrame: 1) && flow.last == Fixture.time(ofFrame: 8))
        #expect(flow.streamAToB?.deliveredBytes == 11 && flow.streamBToA?.deliveredBytes == 2)
        #expect(flow.streamAToB?.endReason == .fin && flow.streamBToA?.endReason == .fin)
        #expect(flow.streamAToB?.pickedUpMidway == false)
        #expect(run.diagnostics.isEmpty)
    }

    /// Four segments of one message arrive in `order` (indexes into the message's segments). Each
    /// segment comes out as its own chunk, in sequence order, stamped with the frame that made it
    /// deliverable: the latest arrival among it and everything before it.
    @Test(arguments: [[0, 1, 2, 3], [3, 2, 1, 0], [1, 0, 3, 2], [2, 0, 3, 1], [0, 3, 1, 2]])
    func outOfOrderSegmentsComeOutInSequenceOrder(order: [Int]) throws {
        let segments = ["INVITE sip:", "bob@example.com", " SIP/2.0\r\n", "Via: x\r\n\r\n"]
        var offsets: [Int] = []
        var total = 0
        for segment in segments {
            offsets.append(total)
            total += segment.utf8.count
        }
        var tcp = TCPConversation()
        tcp.handshake()
        var arrivalFrame: [Int: Int] = [:]
        for index in order {
            arrivalFrame[index] = tcp.fromClient(at: offsets[index], segments[index])
        }
        let run = try runPipeline(tcp.fixture)

        let expected = segments.indices.map { index in
            (Array(segments[index].utf8), (0...index).map { arrivalFrame[$0]! }.max()!)
        }
        let chunks = run.stream.chunks(.fromClient)
        #expect(chunks.map(\.bytes) == expected.map(\.0))
        #expect(chunks.map(\.frame) == expected.map(\.1))
        #expect(run.stream.bytes(.fromClient) == Array(segments.joined().utf8))
        #expect(run.stream.gaps(.fromClient).isEmpty)
        #expect(run.flow.streamAToB?.deliveredBytes == Int64(total))
        #expect(run.flow.streamAToB?.retransmissions == 0)
    }

    /// A retransmission of bytes already delivered is dropped: the first copy was final. The layer keeps
    /// no delivered bytes, so it cannot compare them; conflicts are counted only against buffered data
    /// (next test).
    @Test func retransmissionOfDeliveredBytesWithOtherContentIsDropped() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "hello")  // 4
        tcp.fromClient(at: 0, "HELLO")  // 5: same sequence range, other bytes
        tcp.fromClient(at: 3, "LO wor")  // 6: overlaps the delivered "lo", adds " wor"
        tcp.fromClient(at: 9, "ld")  // 7
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "hello" @4"#, #"bytes " wor" @6"#, #"bytes "ld" @7"#, "end capture-ended @7",
            ])
        #expect(run.flow.streamAToB?.retransmissions == 1)
        #expect(run.flow.streamAToB?.deliveredBytes == 11)
        // Payload bytes count every segment, retransmissions included (tshark's tcp.len sum).
        #expect(run.flow.payloadBytesAToB == 5 + 5 + 6 + 2)
    }

    /// A retransmission that differs from a buffered out-of-order copy: the first copy wins and the
    /// differing bytes are counted.
    @Test func retransmissionOfBufferedBytesWithOtherContentKeepsTheFirstCopy() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 5, "world")  // 4: hole before it
        tcp.fromClient(at: 5, "WORLD")  // 5: differs in all 5 bytes
        tcp.fromClient(at: 5, "woRLd")  // 6: differs in 2 bytes from the first copy
        tcp.fromClient(at: 0, "hello")  // 7: fills the hole
        let run = try runPipeline(tcp.fixture)

        #expect(run.stream.log(.fromClient) == [#"bytes "hello" @7"#, #"bytes "world" @7"#, "end capture-ended @7"])
        #expect(run.flow.streamAToB?.conflictingBytes == 7)
        #expect(run.flow.streamAToB?.deliveredBytes == 10)
    }

    /// Overlapping out-of-order segments: each byte comes from the first segment that carried it.
    @Test func overlappingBufferedSegmentsContributeOnlyNewBytes() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 10, "KKKKKKKKKK")  // 4: [10, 20)
        tcp.fromClient(at: 5, "bbbbbxxxxx")  // 5: [5, 15): only [5, 10) is new; 5 bytes differ
        tcp.fromClient(at: 15, "yyyyyccccc")  // 6: [15, 25): only [20, 25) is new; 5 bytes differ
        tcp.fromClient(at: 2, "aaazzzzzzzzzzzzzzzzzzzzzzzdd")  // 7: [2, 30): fills [2, 5) and adds [25, 30)
        tcp.fromClient(at: 0, "..")  // 8: [0, 2) completes the stream
        let run = try runPipeline(tcp.fixture)

        #expect(run.stream.bytes(.fromClient) == Array("..aaabbbbbKKKKKKKKKKccccczzzdd".utf8))
        #expect(run.stream.gaps(.fromClient).isEmpty)
        #expect(run.flow.streamAToB?.deliveredBytes == 30)
        // 5 (x vs K) + 5 (y vs K) + 20 (z vs b, K and c over [5, 25)).
        #expect(run.flow.streamAToB?.conflictingBytes == 5 + 5 + 20)
        #expect(run.stream.chunks(.fromClient).allSatisfy { $0.frame == 8 })
    }

    /// A segment that starts inside delivered data delivers only its new tail.
    @Test func segmentStraddlingTheDeliveredEdgeDeliversOnlyTheNewPart() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "abcdef")  // 4
        tcp.fromClient(at: 3, "defghi")  // 5
        let run = try runPipeline(tcp.fixture)
        #expect(run.stream.log(.fromClient) == [#"bytes "abcdef" @4"#, #"bytes "ghi" @5"#, "end capture-ended @5"])
    }

    /// The transport layer does not frame messages: three messages in one segment are one chunk.
    @Test func threeMessagesInOneSegmentAreOneChunk() throws {
        let messages = "OPTIONS sip:a SIP/2.0\r\n\r\nOPTIONS sip:b SIP/2.0\r\n\r\nOPTIONS sip:c SIP/2.0\r\n\r\n"
        var tcp = TCPConversation()
        tcp.handshake()
        let frame = tcp.fromClient(at: 0, messages)
        let run = try runPipeline(tcp.fixture)
        let chunks = run.stream.chunks(.fromClient)
        #expect(chunks.count == 1)
        #expect(chunks.first?.bytes == Array(messages.utf8))
        #expect(chunks.first?.frame == frame)
    }

    /// One 68 000-byte message in 40 segments (more than 64 KiB, so no 16-bit length holds it), in order
    /// and in reverse order.
    @Test(arguments: [false, true])
    func oneMessageOverFortySegments(reversed: Bool) throws {
        let message = patternBytes(40 * 1700, seed: 7)
        var tcp = TCPConversation()
        tcp.handshake()
        let indexes = reversed ? Array((0..<40).reversed()) : Array(0..<40)
        var frames: [Int] = []
        for index in indexes {
            frames.append(tcp.fromClient(at: index * 1700, Array(message[(index * 1700)..<((index + 1) * 1700)])))
        }
        tcp.clientFIN(at: message.count)
        let run = try runPipeline(tcp.fixture)

        #expect(run.stream.bytes(.fromClient) == message)
        #expect(run.stream.chunks(.fromClient).count == 40)
        let expectedFrames = reversed ? Array(repeating: frames.last!, count: 40) : frames
        #expect(run.stream.chunks(.fromClient).map(\.frame) == expectedFrames)
        #expect(run.stream.endReason(.fromClient) == .fin)
        #expect(run.flow.streamAToB?.deliveredBytes == 68_000)
        #expect(run.diagnostics.isEmpty)
    }

    /// Sequence numbers wrap past 2^32 in the middle of the stream, with a segment out of order across
    /// the wrap.
    @Test(arguments: [UInt32(0xffff_fff0), 0xffff_ffff, 0xffff_fffe])
    func sequenceNumbersWrapAround(isn: UInt32) throws {
        var tcp = TCPConversation(clientISN: isn, serverISN: 0xffff_fffa)
        tcp.handshake()
        tcp.fromClient(at: 0, "0123456789")  // 4
        tcp.fromClient(at: 20, "KLMNOPQRST")  // 5: beyond the wrap for every ISN above
        tcp.fromClient(at: 10, "ABCDEFGHIJ")  // 6: fills the hole
        tcp.fromServer(at: 0, "server side crosses zero")  // 7
        tcp.clientFIN(at: 30)  // 8
        tcp.serverFIN(at: 24)  // 9
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "0123456789" @4"#, #"bytes "ABCDEFGHIJ" @6"#, #"bytes "KLMNOPQRST" @6"#, "end fin @8",
            ])
        #expect(run.stream.log(.fromServer) == [#"bytes "server side crosses zero" @7"#, "end fin @9"])
        #expect(run.flow.streamAToB?.gaps == 0 && run.flow.streamBToA?.gaps == 0)
    }
}

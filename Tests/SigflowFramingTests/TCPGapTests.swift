import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowFraming

/// Bytes the capture never saw become explicit gaps of a known size, and the bytes after them are still
/// delivered: never papered over, never silently joined.
@Suite struct TCPGapTests {
    /// A segment lost for good: the hole is declared when the capture ends, with its size, and the
    /// bytes after it still come out (stamped with the frames that carried them). The FIN was seen, so
    /// the direction ends with `fin` at the FIN's frame, not with `capture-ended`.
    @Test func missingSegmentBecomesAGapOfItsSize() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "aaaa")  // 4
        // [4, 8) never captured
        tcp.fromClient(at: 8, "cccc")  // 5
        tcp.fromClient(at: 12, "dddd")  // 6
        tcp.clientFIN(at: 16)  // 7
        tcp.serverFIN(at: 0)  // 8
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "aaaa" @4"#, "gap 4 @5", #"bytes "cccc" @5"#, #"bytes "dddd" @6"#, "end fin @7",
            ])
        let stats = try #require(run.flow.streamAToB)
        #expect(stats.gaps == 1 && stats.gapBytes == 4 && stats.deliveredBytes == 12)
        #expect(stats.endReason == .fin)
        #expect(run.diagnosticNames == ["tcp_gap"])
        #expect(run.diagnostics.entries.first?.source == SourceRef(capture: 0, frame: 5))
        #expect(
            run.diagnostics.entries.first?.message
                == "10.0.0.1:40000 -> 10.0.0.2:5060: 4 bytes missing from the capture")
    }

    /// A hole older than `maxHoleAgeSeconds` is given up when the next segment of that direction
    /// arrives.
    @Test func holeIsAgedOutByALaterSegment() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "aaaa")  // 4
        tcp.fromClient(at: 8, "cccc")  // 5, hole [4, 8) opens
        tcp.fixture.wait(seconds: 6)
        tcp.fromClient(at: 12, "dddd")  // 6, 6 s later
        tcp.fromClient(at: 4, "bbbb")  // 7: too late, already declared a gap
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "aaaa" @4"#, "gap 4 @5", #"bytes "cccc" @5"#, #"bytes "dddd" @6"#, "end capture-ended @7",
            ])
        #expect(run.flow.streamAToB?.retransmissions == 1)
    }

    /// With no more segments in that direction, the flow table's periodic sweep ages the hole out.
    @Test func holeIsAgedOutBySweepWhenTheDirectionFallsSilent() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "aaaa")  // 4
        tcp.fromClient(at: 8, "cccc")  // 5
        tcp.fixture.wait(seconds: 12)
        tcp.fromServer(at: 0, "late reply")  // 6
        tcp.fromServer(at: 10, " more")  // 7
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "aaaa" @4"#, "gap 4 @5", #"bytes "cccc" @5"#, "end capture-ended @7",
            ])
        #expect(run.stream.bytes(.fromServer) == Array("late reply more".utf8))
    }

    /// A hole filled within `maxHoleAgeSeconds` is not a gap.
    @Test func holeFilledInTimeIsNoGap() throws {
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 4, "bbbb")  // 4
        tcp.fixture.wait(seconds: 4.5)
        tcp.fromClient(at: 0, "aaaa")  // 5
        let run = try runPipeline(tcp.fixture)
        #expect(run.stream.log(.fromClient) == [#"bytes "aaaa" @5"#, #"bytes "bbbb" @5"#, "end capture-ended @5"])
    }

    /// A segment cut by the snapshot length: the captured bytes, then a gap for the rest, then the next
    /// segment as usual. Counts still use the lengths on the wire.
    @Test func snaplenTruncatedSegmentIsBytesThenGap() throws {
        // 14 Ethernet + 20 IPv4 + 20 TCP + 10 payload bytes.
        var tcp = TCPConversation(Fixture(snaplen: 64))
        tcp.handshake()
        tcp.fromClient(at: 0, "0123456789ABCDEFGHIJ")  // 4: 10 captured, 10 cut
        tcp.fromClient(at: 20, "KLMNO")  // 5
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "0123456789" @4"#, "gap 10 @4", #"bytes "KLMNO" @5"#, "end capture-ended @5",
            ])
        #expect(run.packets[3].missingPayloadBytes == 10)
        #expect(run.packets[3].wireLength == 74)
        #expect(run.flow.payloadBytesAToB == 25)
        #expect(run.flow.bytesAToB == 54 + 54 + 74 + 59)
        #expect(run.flow.streamAToB?.gapBytes == 10 && run.flow.streamAToB?.deliveredBytes == 15)
    }

    /// A snaplen-cut segment that arrives out of order and straddles a segment already buffered: the
    /// buffered copy wins where they overlap, the cut part is a gap, nothing is invented.
    @Test func truncatedOutOfOrderSegmentAroundABufferedOne() throws {
        // 20 payload bytes fit in the snapshot.
        var tcp = TCPConversation(Fixture(snaplen: 74))
        tcp.handshake()
        tcp.fromClient(at: 50, "HHHHHHHHHH")  // 4: [50, 60)
        let long = patternBytes(100, seed: 3)
        tcp.fromClient(at: 10, long)  // 5: [10, 110), only [10, 30) captured
        tcp.fromClient(at: 0, "0123456789")  // 6: fills [0, 10)
        tcp.fromClient(at: 110, "tail!")  // 7
        let run = try runPipeline(tcp.fixture)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "0123456789" @6"#, "bytes 20B @6", "gap 20 @6", #"bytes "HHHHHHHHHH" @6"#, "gap 50 @6",
                #"bytes "tail!" @7"#, "end capture-ended @7",
            ])
        #expect(run.stream.chunks(.fromClient)[1].bytes == Array(long.prefix(20)))
        #expect(run.flow.streamAToB?.gapBytes == 70)
        #expect(run.flow.streamAToB?.deliveredBytes == 45)
    }

    /// More out-of-order bytes than `maxBufferedBytesPerDirection`: the hole becomes a gap, the buffered
    /// bytes are delivered, and a warning names the limit.
    @Test func perDirectionCapTurnsTheHoleIntoAGap() throws {
        var limits = ReassemblyLimits()
        limits.maxBufferedBytesPerDirection = 100
        var tcp = TCPConversation()
        tcp.handshake()
        tcp.fromClient(at: 0, "ab")  // 4
        tcp.fromClient(at: 10, patternBytes(60, seed: 1))  // 5: 60 buffered
        tcp.fromClient(at: 70, patternBytes(60, seed: 2))  // 6: 120 buffered > 100
        tcp.fromClient(at: 2, "cdefghij")  // 7: the hole's bytes, too late
        let run = try runPipeline(tcp.fixture, limits: limits)

        #expect(
            run.stream.log(.fromClient) == [
                #"bytes "ab" @4"#, "gap 8 @5", "bytes 60B @5", "bytes 60B @6", "end capture-ended @7",
            ])
        #expect(
            run.stream.bytes(.fromClient) == Array("ab".utf8) + patternBytes(60, seed: 1) + patternBytes(60, seed: 2))
        #expect(run.diagnosticNames.sorted() == ["tcp_gap", "tcp_reassembly_limit"])
        let warning = try #require(run.diagnostics.entries.first { $0.name == "tcp_reassembly_limit" })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("100 bytes per direction"))
        #expect(warning.source == SourceRef(capture: 0, frame: 6))
    }

    /// Out-of-order bytes of all connections together over `maxBufferedBytesTotal`: the connection that
    /// pushes the total over gives up its holes, with a warning naming the limit; the other keeps its
    /// buffer and is completed normally later.
    @Test func totalBudgetTurnsHolesIntoGaps() throws {
        var limits = ReassemblyLimits()
        limits.maxBufferedBytesTotal = 100
        var first = TCPConversation()
        first.handshake()  // 1-3
        first.fromClient(at: 10, patternBytes(60, seed: 1))  // 4: 60 of 100 held
        var second = TCPConversation(first.fixture, client: endpoint("10.0.0.3:40001"))
        second.handshake()  // 5-7
        second.fromClient(at: 10, patternBytes(50, seed: 2))  // 8: 110 > 100
        first = TCPConversation(second.fixture)
        first.fromClient(at: 0, "0123456789")  // 9: fills the first connection's hole
        let run = try runPipeline(first.fixture, limits: limits)

        #expect(run.streams.count == 2)
        let one = try #require(run.streams.first { $0.info.client == endpoint("10.0.0.1:40000") })
        let two = try #require(run.streams.first { $0.info.client == endpoint("10.0.0.3:40001") })
        #expect(one.log(.fromClient) == [#"bytes "0123456789" @9"#, "bytes 60B @9", "end capture-ended @9"])
        #expect(two.log(.fromClient) == ["gap 10 @8", "bytes 50B @8", "end capture-ended @9"])
        #expect(run.diagnosticNames.contains("tcp_reassembly_limit"))
        let warning = try #require(run.diagnostics.entries.first { $0.name == "tcp_reassembly_limit" })
        #expect(warning.message.contains("100 bytes"))
    }
}

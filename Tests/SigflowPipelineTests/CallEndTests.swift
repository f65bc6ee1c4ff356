import SigflowCapture
import SigflowCore
import SigflowFraming
import SigflowTestSupport
import Testing

@testable import SigflowPipeline

/// A call that is over leaves the run after a quiet period, but only when it really is over: forks
/// still ringing and conversations that outlive a proxy's CANCEL keep it open, however long they
/// stay silent.
struct CallEndTests {
    static let caller = ip("10.0.0.1")
    static let proxy = ip("10.0.0.2")
    static let fork1 = ip("10.0.0.3")
    static let fork2 = ip("10.0.0.4")

    /// One SIP message of call `callID` in transaction `branch`, from `from` to `to` at `second`.
    struct Message {
        var second: Double
        var from: IPAddress
        var to: IPAddress
        var startLine: String
        var branch: String
        var cseq: String
        var toTag: String?
    }

    static func frame(_ message: Message, callID: String) -> [UInt8] {
        var text = "\(message.startLine)\r\nVia: SIP/2.0/UDP \(message.from):5060;branch=z9hG4bK\(message.branch)\r\n"
        text += "From: <sip:alice@a.example>;tag=alice\r\n"
        text += "To: <sip:bob@b.example>\(message.toTag.map { ";tag=\($0)" } ?? "")\r\n"
        text += "Call-ID: \(callID)\r\nCSeq: \(message.cseq)\r\nContent-Length: 0\r\n\r\n"
        return IPv4.packet(
            from: message.from, to: message.to, protocol: IPProtocol.udp,
            payload: Transport.udp(from: 5060, to: 5060, payload: Array(text.utf8)))
    }

    /// Reads the calls (in this order of messages) like `sigflow calls` does, and returns the calls
    /// still open after the last message with their summaries at the end.
    static func run(_ calls: [(callID: String, messages: [Message])]) throws -> (open: Int, summaries: [CallSummary]) {
        let frames = calls.flatMap { call in call.messages.map { ($0.second, frame($0, callID: call.callID)) } }
            .enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        var writer = PcapWriter(linkType: .raw)
        for (second, bytes) in frames {
            writer.add(bytes, at: CaptureTime(nanoseconds: 1_700_000_000_000_000_000 + Int64(second * 1e9)))
        }
        let directory = TemporaryDirectory()
        let path = directory.write(writer.bytes, to: "calls.pcap")
        let configuration = PipelineConfiguration(inputs: [.file(path)], detail: .summary)
        let decoder = SignalingDecoder(configuration: configuration, captureCount: 1)
        try CaptureReader(inputs: configuration.inputs).forEachPacket { decoder.decode($0) }
        let open = decoder.heldState.openCalls
        return (open, Array(decoder.finish(captureCount: 1, captureEnd: nil).summaries))
    }

    /// A call answered at 1 s and hung up at 5 s, as the caller's side sees it.
    static func shortCall(at start: Double) -> [Message] {
        [
            Message(
                second: start, from: caller, to: proxy, startLine: "INVITE sip:bob@b.example SIP/2.0",
                branch: "i\(start)", cseq: "1 INVITE"),
            Message(
                second: start + 1, from: proxy, to: caller, startLine: "SIP/2.0 200 OK", branch: "i\(start)",
                cseq: "1 INVITE", toTag: "b"),
            Message(
                second: start + 1.01, from: caller, to: proxy, startLine: "ACK sip:bob@b.example SIP/2.0",
                branch: "a\(start)", cseq: "1 ACK", toTag: "b"),
            Message(
                second: start + 5, from: caller, to: proxy, startLine: "BYE sip:bob@b.example SIP/2.0",
                branch: "y\(start)", cseq: "2 BYE", toTag: "b"),
            Message(
                second: start + 5.01, from: proxy, to: caller, startLine: "SIP/2.0 200 OK", branch: "y\(start)",
                cseq: "2 BYE", toTag: "b"),
        ]
    }

    @Test func aHungUpCallLeavesAfterItsQuietPeriodAndStaysWhole() throws {
        // The second call starts 40 s in: the first has been quiet for 35 s by then.
        let run = try Self.run([("first@a", Self.shortCall(at: 0)), ("second@a", Self.shortCall(at: 40))])
        #expect(run.open == 1)
        #expect(run.summaries.map(\.callID) == ["first@a", "second@a"])
        #expect(run.summaries.map(\.outcome) == [.answered, .answered])
        #expect(run.summaries.map(\.stepCount) == [5, 5])
    }

    @Test func aCallQuietForLessThanThePeriodStaysOpen() throws {
        let run = try Self.run([("first@a", Self.shortCall(at: 0)), ("second@a", Self.shortCall(at: 30))])
        #expect(run.open == 2)
        #expect(run.summaries.map(\.stepCount) == [5, 5])
    }

    /// A proxy forks one call to two phones (the caller's side is not in the capture).
    static let forkedInvites = [
        Message(
            second: 0, from: proxy, to: fork1, startLine: "INVITE sip:bob@10.0.0.3 SIP/2.0", branch: "f1",
            cseq: "1 INVITE"),
        Message(
            second: 0, from: proxy, to: fork2, startLine: "INVITE sip:bob@10.0.0.4 SIP/2.0", branch: "f2",
            cseq: "1 INVITE"),
    ]

    @Test func aForkStillRingingKeepsARefusedCallOpen() throws {
        // The proxy forks; one phone refuses at once, the other rings silently for a minute and then
        // answers. The refusal settles nothing while the second INVITE waits for its final response.
        let forked =
            Self.forkedInvites + [
                Message(
                    second: 0.5, from: Self.fork1, to: Self.proxy, startLine: "SIP/2.0 486 Busy Here", branch: "f1",
                    cseq: "1 INVITE", toTag: "one"),
                Message(
                    second: 0.51, from: Self.proxy, to: Self.fork1, startLine: "ACK sip:bob@10.0.0.3 SIP/2.0",
                    branch: "f1",
                    cseq: "1 ACK", toTag: "one"),
                Message(
                    second: 0.6, from: Self.fork2, to: Self.proxy, startLine: "SIP/2.0 180 Ringing", branch: "f2",
                    cseq: "1 INVITE", toTag: "two"),
                Message(
                    second: 60, from: Self.fork2, to: Self.proxy, startLine: "SIP/2.0 200 OK", branch: "f2",
                    cseq: "1 INVITE", toTag: "two"),
            ]
        // Another call's messages at 40 s make the run look for quiet calls in the silence.
        let run = try Self.run([("forked@a", forked), ("other@a", Self.shortCall(at: 40))])
        #expect(run.summaries.map(\.callID) == ["forked@a", "other@a"])
        #expect(run.summaries.first?.stepCount == 6)
        #expect(run.summaries.first?.outcome == .answered)
    }

    @Test func aProxysCancelToOtherForksDoesNotEndAnAnsweredCall() throws {
        // One phone answers, the proxy cancels the other; the conversation lasts two silent minutes.
        let answered =
            Self.forkedInvites + [
                Message(
                    second: 2, from: Self.fork1, to: Self.proxy, startLine: "SIP/2.0 200 OK", branch: "f1",
                    cseq: "1 INVITE", toTag: "one"),
                Message(
                    second: 2.01, from: Self.proxy, to: Self.fork2, startLine: "CANCEL sip:bob@10.0.0.4 SIP/2.0",
                    branch: "f2", cseq: "1 CANCEL"),
                Message(
                    second: 2.02, from: Self.fork2, to: Self.proxy, startLine: "SIP/2.0 487 Request Terminated",
                    branch: "f2", cseq: "1 INVITE", toTag: "two"),
                Message(
                    second: 2.03, from: Self.proxy, to: Self.fork1, startLine: "ACK sip:bob@10.0.0.3 SIP/2.0",
                    branch: "a1",
                    cseq: "1 ACK", toTag: "one"),
                Message(
                    second: 122, from: Self.proxy, to: Self.fork1, startLine: "BYE sip:bob@10.0.0.3 SIP/2.0",
                    branch: "y1",
                    cseq: "2 BYE", toTag: "one"),
                Message(
                    second: 122.01, from: Self.fork1, to: Self.proxy, startLine: "SIP/2.0 200 OK", branch: "y1",
                    cseq: "2 BYE", toTag: "one"),
            ]
        let run = try Self.run([
            ("answered@a", answered), ("other@a", Self.shortCall(at: 60)), ("later@a", Self.shortCall(at: 200)),
        ])
        #expect(run.open == 1)
        #expect(run.summaries.map(\.callID) == ["answered@a", "other@a", "later@a"])
        #expect(run.summaries.first?.stepCount == 8)
        #expect(run.summaries.first?.outcome == .answered)
    }
}

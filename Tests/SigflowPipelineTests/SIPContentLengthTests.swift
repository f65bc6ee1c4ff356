import Foundation
import SigflowCore
import SigflowPipeline
import SigflowSIP
import SigflowTestSupport
import Testing

/// `Content-Length` is `1*DIGIT` (RFC 3261 §20.14, §25.1). A negative or absurd value once crashed
/// the TCP framer (found by the sip-message and tcp-streams fuzzers); now the message is decoded
/// without a body, sigflow says so, and framing picks up again at the next start line.
struct SIPContentLengthTests {
    static func invite(contentLength: String) -> String {
        let sdp =
            "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
        return "INVITE sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10:40000;branch=z9hG4bK-1\r\n"
            + "From: <sip:alice@192.0.2.10>;tag=a1\r\nTo: <sip:bob@192.0.2.1>\r\nCall-ID: bad-length-1\r\n"
            + "CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: \(contentLength)\r\n\r\n" + sdp
    }

    static func response(_ status: String, toTag: String? = "b1") -> String {
        "SIP/2.0 \(status)\r\nVia: SIP/2.0/TCP 192.0.2.10:40000;branch=z9hG4bK-1\r\n"
            + "From: <sip:alice@192.0.2.10>;tag=a1\r\nTo: <sip:bob@192.0.2.1>\(toTag.map { ";tag=\($0)" } ?? "")\r\n"
            + "Call-ID: bad-length-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
    }

    static let ack =
        "ACK sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10:40000;branch=z9hG4bK-2\r\n"
        + "From: <sip:alice@192.0.2.10>;tag=a1\r\nTo: <sip:bob@192.0.2.1>;tag=b1\r\nCall-ID: bad-length-1\r\n"
        + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"

    static func run(_ bytes: [UInt8]) throws -> CallsResult {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-clen-\(UUID()).pcap")
        try Data(bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return try CallsJob.run(PipelineConfiguration(inputs: [.file(path.path)]))
    }

    @Test(arguments: ["-1", "+14", "-9223372036854775808", "9223372036854775807", "99999999999999999999", "12abc"])
    func overTCPTheCallIsStillFramed(contentLength: String) throws {
        var capture = SyntheticTCPCapture(client: ([192, 0, 2, 10], 40000), server: ([192, 0, 2, 1], 5060))
        // The INVITE and the ACK in one segment: the SDP between them is what framing must skip.
        capture.client(Self.invite(contentLength: contentLength))
        capture.server(Self.response("100 Trying", toTag: nil))
        capture.server(Self.response("200 OK"))
        capture.client(Self.ack)
        let result = try Self.run(capture.bytes)
        let call = try #require(result.calls.first)
        #expect(result.calls.count == 1)
        #expect(call.callID == "bad-length-1")
        #expect(call.steps.map(\.message.label) == ["INVITE", "100 Trying", "200 OK", "ACK"])
        let names = result.diagnostics.entries.map(\.name)
        #expect(names.filter { $0 == "sip_bad_content_length" }.count == 1)
        #expect(names.contains("sip_tcp_skipped"))
    }

    @Test func overTCPTheMessageAfterTheBodyIsFoundInTheSameSegment() throws {
        var capture = SyntheticTCPCapture(client: ([192, 0, 2, 10], 40000), server: ([192, 0, 2, 1], 5060))
        capture.client(Self.invite(contentLength: "-1") + Self.ack)
        let result = try Self.run(capture.bytes)
        let call = try #require(result.calls.first)
        #expect(call.steps.map(\.message.label) == ["INVITE", "ACK"])
    }

    @Test(arguments: ["-1", "9223372036854775807", "-9223372036854775808"])
    func overUDPTheBodyRunsToTheEndOfTheDatagram(contentLength: String) throws {
        var fixture = Fixture()
        fixture.add(
            udpPacket(
                from: endpoint("192.0.2.10:5060"), to: endpoint("192.0.2.1:5060"),
                payload: Array(Self.invite(contentLength: contentLength).utf8)))
        let result = try Self.run(fixture.bytes)
        let call = try #require(result.calls.first)
        #expect(call.steps.map(\.message.label) == ["INVITE"])
        #expect(result.diagnostics.entries.map(\.name) == ["sip_bad_content_length"])
        #expect(call.steps[0].message.sip?.sdp?.oneLine == "audio 192.0.2.10:4000 PCMU sendrecv")
    }
}

import Foundation
import SigflowCore
import SigflowFraming
import SigflowPipeline
import SigflowTestSupport
import Testing

/// Many TCP connections each in the middle of a large message must not add up to unbounded memory:
/// past `maxStreamBufferedBytes` in all, the connections holding most lose what they hold (as after
/// a gap) and resynchronise; the others are untouched.
struct StreamBufferLimitTests {
    static let server = endpoint("192.0.2.1:5060")

    static func invite(_ callID: String, padding: Int = 0) -> String {
        "INVITE sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK-\(callID)\r\n"
            + "From: <sip:alice@192.0.2.10>;tag=a\r\nTo: <sip:bob@192.0.2.1>\r\nCall-ID: \(callID)\r\n"
            + "CSeq: 1 INVITE\r\nX-Padding: \(String(repeating: "p", count: padding))\r\n"
    }

    /// Three connections: `big` holds 3,000 bytes of unfinished headers, `small` 500, then `third`
    /// sends 1,000 and the sum passes the 4,000-byte limit.
    static func run(limit: Int) throws -> CallsResult {
        let big = endpoint("192.0.2.10:40001")
        let small = endpoint("192.0.2.11:40002")
        let third = endpoint("192.0.2.12:40003")
        var fixture = Fixture()
        var sequence: [Endpoint: UInt32] = [:]
        func send(_ from: Endpoint, _ text: String) {
            let payload = Array(text.utf8)
            let at = sequence[from, default: 1000]
            fixture.add(
                tcpPacket(
                    from: from, to: server, sequence: at, acknowledgement: 1, flags: TCPFlag.ack | TCPFlag.psh,
                    payload: payload))
            sequence[from] = at &+ UInt32(payload.count)
        }
        let bigHeaders = Self.invite("big-call", padding: 2800)
        let smallHeaders = Self.invite("small-call", padding: 300)
        let thirdHeaders = Self.invite("third-call", padding: 800)
        send(big, bigHeaders)
        send(small, smallHeaders)
        send(third, thirdHeaders)
        // Each message ends: only what was not dropped can still come out whole.
        send(big, "Content-Length: 0\r\n\r\n")
        send(small, "Content-Length: 0\r\n\r\n")
        send(third, "Content-Length: 0\r\n\r\n")
        send(big, Self.invite("big-call-2") + "Content-Length: 0\r\n\r\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-buffers-\(UUID()).pcap")
        try Data(fixture.bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        var limits = ReassemblyLimits()
        limits.maxStreamBufferedBytes = limit
        return try CallsJob.run(PipelineConfiguration(inputs: [.file(path.path)], limits: limits))
    }

    @Test func theLargestHolderLosesItsMessageAndTheOthersKeepTheirs() throws {
        let result = try Self.run(limit: 4000)
        // The big connection's first INVITE is gone; it resynchronises on its next start line.
        #expect(result.calls.map(\.callID).sorted() == ["big-call-2", "small-call", "third-call"])
        #expect(result.diagnostics.entries.filter { $0.name == "stream_buffer_limit" }.count == 1)
        #expect(
            result.diagnostics.entries.first { $0.name == "stream_buffer_limit" }?.message.contains("192.0.2.10:40001")
                == true)
    }

    @Test func underTheLimitNothingIsDropped() throws {
        let result = try Self.run(limit: 32 << 20)
        #expect(result.calls.map(\.callID).sorted() == ["big-call", "big-call-2", "small-call", "third-call"])
        #expect(result.diagnostics.entries.isEmpty)
    }
}

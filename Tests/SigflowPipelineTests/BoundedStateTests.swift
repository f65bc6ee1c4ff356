import Foundation
import SigflowCapture
import SigflowCore
import SigflowFraming
import SigflowTestSupport
import Testing

@testable import SigflowMedia
@testable import SigflowPipeline

/// A capture of 100 000 SIP calls over 1000 s, about 500 in progress at any time: every call comes
/// out whole and right while the state the run holds (open calls, watched media endpoints) stays
/// bounded by the calls in progress and under its caps, so memory does not grow with the capture's
/// length.
struct BoundedStateTests {
    static let callCount = 100_000
    static let caller = ip("10.0.0.1")
    static let proxy = ip("10.0.0.2")

    /// Even calls are refused busy (INVITE, 486, ACK); odd ones are answered, carry one RTP packet
    /// to the callee's SDP endpoint, and end with BYE (INVITE, 200, ACK, RTP, BYE, 200).
    static func callID(_ index: Int) -> String { "bulk-\(String(index + 1_000_000).dropFirst())@10.0.0.1" }

    static func mediaAddress(_ index: Int, side: UInt32) -> String {
        "10.\(side).\((index >> 8) & 0xFF).\(index & 0xFF)"
    }

    static func sip(_ startLine: String, index: Int, cseq: String, toTag: Bool, sdpAddress: String? = nil) -> [UInt8] {
        let body =
            sdpAddress.map {
                "v=0\r\no=- 1 1 IN IP4 \($0)\r\ns=-\r\nc=IN IP4 \($0)\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
            } ?? ""
        var text = "\(startLine)\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK\(index)\(cseq.prefix(1))\r\n"
        text += "From: <sip:alice@10.0.0.1>;tag=a\(index)\r\nTo: <sip:bob@10.0.0.2>\(toTag ? ";tag=b\(index)" : "")\r\n"
        text += "Call-ID: \(callID(index))\r\nCSeq: \(cseq)\r\n"
        if !body.isEmpty { text += "Content-Type: application/sdp\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        return Array(text.utf8)
    }

    static func datagram(
        from: IPAddress, _ sourcePort: UInt16, to: IPAddress, _ destinationPort: UInt16, _ payload: [UInt8]
    )
        -> [UInt8]
    {
        IPv4.packet(
            from: from, to: to, protocol: IPProtocol.udp,
            payload: Transport.udp(from: sourcePort, to: destinationPort, payload: payload))
    }

    /// The frames of one call, with their offsets from the call's start in milliseconds.
    static func frames(_ index: Int) -> [(Int64, [UInt8])] {
        let invite = sip(
            "INVITE sip:bob@10.0.0.2 SIP/2.0", index: index, cseq: "1 INVITE", toTag: false,
            sdpAddress: mediaAddress(index, side: 1))
        var frames: [(Int64, [UInt8])] = [(0, datagram(from: caller, 5060, to: proxy, 5060, invite))]
        let ack = sip("ACK sip:bob@10.0.0.2 SIP/2.0", index: index, cseq: "1 ACK", toTag: true)
        if index % 2 == 0 {
            let busy = sip("SIP/2.0 486 Busy Here", index: index, cseq: "1 INVITE", toTag: true)
            frames.append((500, datagram(from: proxy, 5060, to: caller, 5060, busy)))
            frames.append((510, datagram(from: caller, 5060, to: proxy, 5060, ack)))
        } else {
            let callee = mediaAddress(index, side: 2)
            let ok = sip("SIP/2.0 200 OK", index: index, cseq: "1 INVITE", toTag: true, sdpAddress: callee)
            let rtp: [UInt8] =
                [0x80, 0x00, 0x00, 0x01] + [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0xFF, count: 160)
            frames.append((1000, datagram(from: proxy, 5060, to: caller, 5060, ok)))
            frames.append((1010, datagram(from: caller, 5060, to: proxy, 5060, ack)))
            frames.append((1500, datagram(from: ip(mediaAddress(index, side: 1)), 4000, to: ip(callee), 4000, rtp)))
            let bye = sip("BYE sip:bob@10.0.0.2 SIP/2.0", index: index, cseq: "2 BYE", toTag: true)
            frames.append((5000, datagram(from: caller, 5060, to: proxy, 5060, bye)))
            frames.append(
                (
                    5010,
                    datagram(
                        from: proxy, 5060, to: caller, 5060,
                        sip("SIP/2.0 200 OK", index: index, cseq: "2 BYE", toTag: true))
                ))
        }
        return frames
    }

    /// Writes the capture in time order (a call starts every 10 ms and lasts at most 5.01 s), a
    /// chunk at a time so the test never holds it whole.
    static func writeCapture(to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let file = FileHandle(forWritingAtPath: path)!
        defer { try? file.close() }
        var writer = PcapWriter(linkType: .raw)
        file.write(Data(writer.bytes))
        var pending: [(time: Int64, index: Int, order: Int, frame: [UInt8])] = []
        let start: Int64 = 1_700_000_000_000
        for index in 0..<callCount {
            let now = start + Int64(index) * 10
            for (order, (offset, frame)) in frames(index).enumerated() {
                pending.append((now + offset, index, order, frame))
            }
            // Everything before this call's start is final: no later call has a frame that early.
            guard index % 1000 == 999 || index == callCount - 1 else { continue }
            pending.sort { ($0.time, $0.index, $0.order) < ($1.time, $1.index, $1.order) }
            let cut = index == callCount - 1 ? pending.count : pending.firstIndex { $0.time > now } ?? pending.count
            writer = PcapWriter(linkType: .raw)
            for item in pending[..<cut] { writer.add(item.frame, at: CaptureTime(nanoseconds: item.time * 1_000_000)) }
            file.write(Data(writer.bytes.dropFirst(24)))
            pending.removeFirst(cut)
        }
    }

    struct Run {
        var peakOpenCalls = 0
        var peakEndpoints = 0
        var packets = 0
        var diagnostics: [String] = []
        var summaries: [CallSummary] = []
    }

    static func run(_ path: String, maxOpenCalls: Int) throws -> Run {
        var limits = ReassemblyLimits()
        limits.maxOpenCalls = maxOpenCalls
        let configuration = PipelineConfiguration(inputs: [.file(path)], limits: limits, detail: .summary)
        let decoder = SignalingDecoder(configuration: configuration, captureCount: 1)
        let reader = try CaptureReader(inputs: configuration.inputs)
        var run = Run()
        try reader.forEachPacket { packet in
            decoder.decode(packet)
            run.packets += 1
            let held = decoder.heldState
            run.peakOpenCalls = max(run.peakOpenCalls, held.openCalls)
            run.peakEndpoints = max(run.peakEndpoints, held.watchedEndpoints)
        }
        run.summaries = Array(decoder.finish(captureCount: 1, captureEnd: nil).summaries)
        run.diagnostics = decoder.diagnostics.entries.map(\.name)
        return run
    }

    /// Every call comes out whole and right.
    static func expectWhole(_ summaries: [CallSummary]) {
        #expect(summaries.count == callCount)
        #expect(summaries.map(\.callID) == (0..<callCount).map(callID))
        let wrong = summaries.enumerated().filter { index, summary in
            let answered = index % 2 == 1
            // Answered: five messages and the RTP stream's start and stop steps.
            return summary.outcome != (answered ? .answered : .busy) || summary.stepCount != (answered ? 7 : 3)
        }
        #expect(wrong.isEmpty, "\(wrong.count) calls wrong, first: \(wrong.first.map { "\($0.element)" } ?? "")")
    }

    @Test func hundredThousandCallsComeOutWholeWithinTheCaps() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("bulk.pcap")
        Self.writeCapture(to: path)

        // With the default cap, calls that are over leave after their quiet period: about 100 calls
        // start per second, each lasts at most 5.01 s and stays 32 s more, so under 3 900 are ever
        // open, and no call is cut short.
        let quiet = try Self.run(path, maxOpenCalls: ReassemblyLimits().maxOpenCalls)
        #expect(quiet.packets == Self.callCount / 2 * 3 + Self.callCount / 2 * 6)
        #expect(quiet.diagnostics.isEmpty)
        #expect(quiet.peakOpenCalls > 3_500 && quiet.peakOpenCalls < 3_900, "peak \(quiet.peakOpenCalls) open calls")
        // Endpoints are watched until their call leaves: 2 per answered call for up to 38 s, 1 per
        // refused one for up to 33.5 s, at 50 calls of each kind per second.
        #expect(quiet.peakEndpoints > 5_000 && quiet.peakEndpoints < 5_600, "peak \(quiet.peakEndpoints) endpoints")
        Self.expectWhole(quiet.summaries)

        // A cap below that evicts the longest idle calls early and never goes past the cap.
        let capped = try Self.run(path, maxOpenCalls: 2_000)
        #expect(capped.diagnostics == ["calls_evicted"])
        #expect(capped.peakOpenCalls <= 2_000 + 1, "peak \(capped.peakOpenCalls) open calls")
        // Each call announces two endpoints and gives them back when it is finished.
        #expect(capped.peakEndpoints <= 2 * 2_000 + 2, "peak \(capped.peakEndpoints) watched endpoints")
        #expect(capped.peakEndpoints <= MediaTracker.maxEndpoints)
        Self.expectWhole(capped.summaries)
    }
}

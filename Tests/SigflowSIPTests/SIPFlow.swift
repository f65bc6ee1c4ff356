import SigflowCore
import SigflowCorrelator
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// The hosts of the hand-built calls: alice's phone calls bob through a proxy (with a sibling
/// address of its cluster) that forks to bob's phone and desk phone.
extension Endpoint {
    static let caller = Endpoint(Substring("192.0.2.10:5060"))!
    static let proxy = Endpoint(Substring("192.0.2.1:5060"))!
    static let sibling = Endpoint(Substring("192.0.2.2:5060"))!
    static let phone = Endpoint(Substring("192.0.2.20:5060"))!
    static let desk = Endpoint(Substring("192.0.2.21:5060"))!
}

/// A SIP message's text: the start line, Via (one, with `branch`), From, To, Call-ID, CSeq, any
/// `headers`, Content-Length and the body. From is alice and To bob, swapped when `byCallee` (a
/// request bob sends, with his tag as `fromTag`).
func sipText(
    _ startLine: String, branch: String, cseq: String, fromTag: String = "a1", toTag: String? = nil,
    byCallee: Bool = false, call: String = "call-1", headers: [String] = [], body: String = ""
) -> String {
    let (from, to) = byCallee ? ("bob", "alice") : ("alice", "bob")
    var lines = [
        startLine, "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=\(branch)",
        "From: <sip:\(from)@example.com>;tag=\(fromTag)",
        "To: <sip:\(to)@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""), "Call-ID: \(call)", "CSeq: \(cseq)",
    ]
    lines += headers
    lines.append("Content-Length: \(body.utf8.count)")
    return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
}

/// Parses and maps one datagram as the decoder does.
func sipMessage(
    _ text: String, from source: Endpoint = .caller, to destination: Endpoint = .proxy,
    at stamp: PacketStamp = PacketStamp(time: Fixture.start, source: SourceRef(capture: 0, frame: 1)),
    missingBytes: Int = 0, detailed: Bool = true
) throws -> SignalingMessage {
    let sip = try Array(text.utf8).withUnsafeBytes { try SIPParser.parse($0) }
    return try #require(
        SIPMapper.signalingMessage(
            sip,
            context: SIPMapper.Context(
                source: source, destination: destination, stamp: stamp, transport: .udp, missingBytes: missingBytes),
            detailed: detailed))
}

/// A call written datagram by datagram, 100 ms apart unless told otherwise, then built the way the
/// pipeline builds it: the policy prepares the messages, the correlator makes the call, the policy
/// reviews it, and a rule checks it.
final class SIPFlow {
    private(set) var messages: [SignalingMessage] = []
    /// Seconds since `Fixture.start` of the last datagram (or media segment's start).
    private(set) var clock = 0.0
    private var frame = 0
    let policy = SIPCallPolicy()

    /// One datagram from `source` to `destination`, `after` seconds after the one before; see
    /// `sipText` for the rest.
    func send(
        _ source: Endpoint, _ destination: Endpoint, _ startLine: String, branch: String, cseq: String,
        fromTag: String = "a1", toTag: String? = nil, byCallee: Bool = false, headers: [String] = [],
        body: String = "", after: Double = 0.1
    ) throws {
        try send(
            sipText(
                startLine, branch: branch, cseq: cseq, fromTag: fromTag, toTag: toTag, byCallee: byCallee,
                headers: headers, body: body),
            from: source, to: destination, after: after)
    }

    /// An initial INVITE for bob.
    func invite(_ source: Endpoint, _ destination: Endpoint, branch: String, after: Double = 0.1) throws {
        try send(
            source, destination, "INVITE sip:bob@example.com SIP/2.0", branch: branch, cseq: "1 INVITE", after: after)
    }

    /// A response to the INVITE.
    func respond(
        _ source: Endpoint, _ destination: Endpoint, _ status: String, branch: String, toTag: String?,
        cseq: String = "1 INVITE", after: Double = 0.1
    ) throws {
        try send(source, destination, "SIP/2.0 " + status, branch: branch, cseq: cseq, toTag: toTag, after: after)
    }

    /// alice's INVITE to the proxy (branch c1), forked to the phone (p1) and the desk (d1): steps 1 to 3.
    func fork() throws {
        try invite(.caller, .proxy, branch: "c1")
        try invite(.proxy, .phone, branch: "p1")
        try invite(.proxy, .desk, branch: "d1")
    }

    /// alice's INVITE straight to bob's phone (branch b1), and its 180 (To tag ph): steps 1 and 2.
    func ringingPhone() throws {
        try invite(.caller, .phone, branch: "b1")
        try respond(.phone, .caller, "180 Ringing", branch: "b1", toTag: "ph")
    }

    /// A CANCEL of the INVITE with `branch`.
    func cancel(
        _ source: Endpoint, _ destination: Endpoint, branch: String, headers: [String] = [], after: Double = 0.1
    ) throws {
        try send(
            source, destination, "CANCEL sip:bob@example.com SIP/2.0", branch: branch, cseq: "1 CANCEL",
            headers: headers, after: after)
    }

    /// An ACK from alice to the dialog with bob's `toTag`.
    func ack(
        _ source: Endpoint = .caller, _ destination: Endpoint = .phone, branch: String, toTag: String,
        cseq: String = "1 ACK"
    ) throws {
        try send(source, destination, "ACK sip:bob@192.0.2.20 SIP/2.0", branch: branch, cseq: cseq, toTag: toTag)
    }

    /// bob's phone hangs up its dialog (To tag ph) with alice.
    func calleeBye(after: Double = 0.1) throws {
        try send(
            .phone, .caller, "BYE sip:alice@192.0.2.10 SIP/2.0", branch: "z2", cseq: "1 BYE", fromTag: "ph",
            toTag: "a1", byCallee: true, after: after)
    }

    /// One datagram of any text; `missingBytes` of it cut off by the capture's snapshot length.
    func send(
        _ text: String, from source: Endpoint, to destination: Endpoint, missingBytes: Int = 0, after: Double = 0.1
    ) throws {
        clock += after
        messages.append(try sipMessage(text, from: source, to: destination, at: stamp(), missingBytes: missingBytes))
    }

    /// A segment of RTP from `sender` to `receiver`, starting `after` seconds on and lasting
    /// `seconds`; the clock stays at its start, so signaling can be sent while it flows.
    func media(from sender: Endpoint, to receiver: Endpoint, seconds: Double, after: Double = 0.1) {
        clock += after
        let first = stamp()
        clock += seconds
        let last = stamp()
        clock -= seconds
        let rtp = (Endpoint(address: sender.address, port: 16000), Endpoint(address: receiver.address, port: 18000))
        messages += SignalingMessage.mediaSegment(
            .sip, callID: "call-1", from: Party(endpoint: sender), to: Party(endpoint: receiver), rtp: rtp,
            first: first, last: last, packets: Int(seconds * 50))
    }

    /// The next frame, at the clock's time.
    private func stamp() -> PacketStamp {
        frame += 1
        return PacketStamp(
            time: Fixture.start.adding(nanoseconds: Int64((clock * 1e9).rounded())),
            source: SourceRef(capture: 0, frame: frame))
    }

    /// When the capture ends: `seconds` after the last message.
    func captureEnd(after seconds: Double) -> CaptureTime {
        (messages.map(\.stamp.time).max() ?? Fixture.start).adding(nanoseconds: Int64((seconds * 1e9).rounded()))
    }

    func call(captureEndsAfter seconds: Double = 1) -> Call {
        let ordered = messages.sorted { ($0.stamp.time, $0.stamp.source) < ($1.stamp.time, $1.stamp.source) }
        let prepared = policy.prepare([ordered]).calls[0]
        return policy.review(
            CallCorrelator.call(from: prepared, offsets: [], captureEnd: captureEnd(after: seconds), policy: policy))
    }

    func findings(_ rule: any CallRule, captureEndsAfter seconds: Double = 1) -> [Finding] {
        let call = call(captureEndsAfter: seconds)
        return rule.check(call, context: CheckContext(captureEnd: captureEnd(after: seconds), calls: [call]))
    }
}

import Foundation
import SigflowCore
import SigflowPipeline
import SigflowTestSupport
import Testing

/// What RFC 3261 makes of shapes real networks have and the lab captures lack: a response from a
/// sibling address of the server, responses that differ only in their reason phrase, a datagram cut
/// inside its headers, a hop the capture filter dropped, a BYE to a dialog nobody knows. Each call is
/// built from UDP datagrams between a caller (192.0.2.10), a proxy (192.0.2.1, with a sibling
/// address 192.0.2.2) and a callee (192.0.2.20).
struct SIPTransactionTests {
    static let caller = endpoint("192.0.2.10:5060")
    static let proxy = endpoint("192.0.2.1:5060")
    static let sibling = endpoint("192.0.2.2:5060")
    static let callee = endpoint("192.0.2.20:5060")

    /// A SIP message of Call-ID `call`: `start` is the start line, `branch` the top Via branch.
    static func message(
        _ start: String, call: String, branch: String, cseq: String, toTag: String? = nil, body: String = ""
    ) -> [UInt8] {
        var text = "\(start)\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=\(branch)\r\n"
        text +=
            "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\(toTag.map { ";tag=\($0)" } ?? "")\r\n"
        text += "Call-ID: \(call)\r\nCSeq: \(cseq)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return Array(text.utf8)
    }

    static func run(_ fixture: Fixture) throws -> CallsResult {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-sip-\(UUID()).pcap")
        try Data(fixture.bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return try CallsJob.run(PipelineConfiguration(inputs: [.file(path.path)]))
    }

    static func datagram(_ fixture: inout Fixture, _ from: Endpoint, _ to: Endpoint, _ payload: [UInt8]) {
        fixture.add(udpPacket(from: from, to: to, payload: payload))
    }

    /// A server cluster answers from another of its addresses: the response is matched to its
    /// request by transaction (top Via branch, CSeq, Call-ID), drawn on the lifeline the INVITE
    /// went to, and settles the call; no S16, not incomplete.
    @Test func aResponseFromASiblingAddressBelongsToItsTransaction() throws {
        var fixture = Fixture()
        let call = "sibling-1"
        Self.datagram(
            &fixture, Self.caller, Self.proxy,
            Self.message("INVITE sip:bob@example.com SIP/2.0", call: call, branch: "z9hG4bK-s1", cseq: "1 INVITE"))
        Self.datagram(
            &fixture, Self.sibling, Self.caller,
            Self.message("SIP/2.0 180 Ringing", call: call, branch: "z9hG4bK-s1", cseq: "1 INVITE", toTag: "b1"))
        Self.datagram(
            &fixture, Self.sibling, Self.caller,
            Self.message("SIP/2.0 486 Busy Here", call: call, branch: "z9hG4bK-s1", cseq: "1 INVITE", toTag: "b1"))
        Self.datagram(
            &fixture, Self.caller, Self.proxy,
            Self.message(
                "ACK sip:bob@example.com SIP/2.0", call: call, branch: "z9hG4bK-s1", cseq: "1 ACK", toTag: "b1"))
        let result = try Self.run(fixture)
        let found = try #require(result.calls.first)
        #expect(result.calls.count == 1)
        #expect(found.participants.map(\.id) == ["caller", "callee"])
        #expect(found.participants[1].endpoints.map(\.description) == ["192.0.2.1:5060", "192.0.2.2:5060"])
        #expect(
            found.steps.map { "\($0.from)>\($0.to) \($0.message.label)" } == [
                "caller>callee INVITE", "callee>caller 180 Ringing", "callee>caller 486 Busy Here", "caller>callee ACK",
            ])
        #expect(found.outcome == .busy)
        #expect(found.finalStatus == 486)
        #expect(found.findings.isEmpty)
    }

    /// `100 Trying` and `100 Giving a try` are two messages, not one sent twice; a byte-identical
    /// copy is a retransmission.
    @Test func aRetransmissionIsTheSameMessage() throws {
        var fixture = Fixture()
        let call = "two-100s-1"
        let invite = Self.message(
            "INVITE sip:bob@example.com SIP/2.0", call: call, branch: "z9hG4bK-t1", cseq: "1 INVITE")
        let trying = Self.message("SIP/2.0 100 Trying", call: call, branch: "z9hG4bK-t1", cseq: "1 INVITE")
        Self.datagram(&fixture, Self.caller, Self.callee, invite)
        Self.datagram(&fixture, Self.callee, Self.caller, trying)
        Self.datagram(
            &fixture, Self.callee, Self.caller,
            Self.message("SIP/2.0 100 Giving a try", call: call, branch: "z9hG4bK-t1", cseq: "1 INVITE"))
        Self.datagram(&fixture, Self.callee, Self.caller, trying)
        Self.datagram(
            &fixture, Self.callee, Self.caller,
            Self.message(
                "SIP/2.0 200 OK", call: call, branch: "z9hG4bK-t1", cseq: "1 INVITE", toTag: "b1", body: "v=0\r\n"))
        Self.datagram(
            &fixture, Self.callee, Self.caller,
            Self.message(
                "SIP/2.0 200 OK", call: call, branch: "z9hG4bK-t1", cseq: "1 INVITE", toTag: "b1", body: "v=1\r\n"))
        let found = try #require(try Self.run(fixture).calls.first)
        #expect(found.steps.map(\.message.label) == ["INVITE", "100 Trying", "100 Giving a try", "200 OK", "200 OK"])
        #expect(found.steps.map(\.retransmissions.count) == [0, 1, 0, 0, 0])
    }

    /// A datagram cut inside its headers (a snapshot length) still gives the lines that parsed: a
    /// step marked truncated, and a warning.
    @Test func aDatagramCutInsideItsHeadersIsATruncatedStep() throws {
        var fixture = Fixture()
        let call = "cut-1"
        Self.datagram(
            &fixture, Self.caller, Self.callee,
            Self.message("INVITE sip:bob@example.com SIP/2.0", call: call, branch: "z9hG4bK-c1", cseq: "1 INVITE"))
        let response = Self.message(
            "SIP/2.0 603 Decline", call: call, branch: "z9hG4bK-c1", cseq: "1 INVITE", toTag: "b1")
        let frame = LinkFraming.ethernet.frame(udpPacket(from: Self.callee, to: Self.caller, payload: response))
        // Ethernet, IPv4 and UDP headers, then the message up to the middle of "Content-Length".
        let cut =
            14 + 20 + 8
            + String(decoding: response, as: UTF8.self).range(of: "Content-Len")!.upperBound.utf16Offset(
                in: String(decoding: response, as: UTF8.self))
        fixture.addFrame(frame, keeping: cut)
        let result = try Self.run(fixture)
        let found = try #require(result.calls.first)
        #expect(found.steps.map(\.message.label) == ["INVITE", "603 Decline"])
        #expect(found.steps.map(\.message.truncated) == [false, true])
        #expect(found.outcome == .declined)
        #expect(result.diagnostics.entries.map(\.name) == ["sip_truncated"])
    }

    /// The capture filter dropped the proxy's 200 to the caller, but the caller acknowledged a 2xx
    /// (an ACK with a new branch) and later hung up: the call was answered, and the hop is an
    /// inferred step.
    @Test func aCallerThatAcksAndHangsUpWasAnswered() throws {
        var fixture = Fixture()
        let call = "lost-200-1"
        func send(_ from: Endpoint, _ to: Endpoint, _ start: String, _ branch: String, _ cseq: String, _ tag: String?) {
            Self.datagram(&fixture, from, to, Self.message(start, call: call, branch: branch, cseq: cseq, toTag: tag))
        }
        send(Self.caller, Self.proxy, "INVITE sip:bob@example.com SIP/2.0", "z9hG4bK-up", "1 INVITE", nil)
        send(Self.proxy, Self.callee, "INVITE sip:bob@example.com SIP/2.0", "z9hG4bK-down", "1 INVITE", nil)
        send(Self.callee, Self.proxy, "SIP/2.0 180 Ringing", "z9hG4bK-down", "1 INVITE", "b1")
        send(Self.proxy, Self.caller, "SIP/2.0 180 Ringing", "z9hG4bK-up", "1 INVITE", "b1")
        send(Self.callee, Self.proxy, "SIP/2.0 200 OK", "z9hG4bK-down", "1 INVITE", "b1")
        send(Self.caller, Self.proxy, "ACK sip:bob@example.com SIP/2.0", "z9hG4bK-ack", "1 ACK", "b1")
        send(Self.proxy, Self.callee, "ACK sip:bob@example.com SIP/2.0", "z9hG4bK-ack2", "1 ACK", "b1")
        fixture.wait(seconds: 5)
        send(Self.caller, Self.proxy, "BYE sip:bob@example.com SIP/2.0", "z9hG4bK-bye", "2 BYE", "b1")
        let found = try #require(try Self.run(fixture).calls.first)
        #expect(found.outcome == .answered)
        #expect(found.participants.first { $0.role == .callee }?.outcome == .answered)
        let inferred = found.steps.filter { $0.message.confidence == .inferred }
        #expect(inferred.map { "\($0.number) \($0.from)>\($0.to) \($0.message.label)" } == ["6 proxy>caller 200 OK"])
        #expect(found.settlingStep == 6)
        #expect(found.steps[6].message.label == "ACK")
    }

    /// A BYE answered 481 where the capture shows no dialog of that Call-ID: S22.
    @Test func aByeToAnUnknownDialogIsReported() throws {
        var fixture = Fixture()
        let call = "stale-bye-1"
        Self.datagram(
            &fixture, Self.caller, Self.callee,
            Self.message(
                "BYE sip:bob@example.com SIP/2.0", call: call, branch: "z9hG4bK-b1", cseq: "2 BYE", toTag: "b1"))
        Self.datagram(
            &fixture, Self.callee, Self.caller,
            Self.message(
                "SIP/2.0 481 Call/Transaction Does Not Exist", call: call, branch: "z9hG4bK-b1", cseq: "2 BYE",
                toTag: "b1"))
        let found = try #require(try Self.run(fixture).calls.first)
        #expect(found.findings.map(\.ruleID) == ["sip.S22.no-such-dialog"])
        #expect(found.findings.first?.steps == [1, 2])
        #expect(found.outcome == .rejected)
        #expect(found.finalStatus == 481)
    }
}

import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// What the mapper makes of one SIP message: its kind and outcome, and the keys the correlator
/// groups by (RFC 3261 §8.1.1.7, §12, §17.1.3), as equality classes.
struct SIPMapperTests {
    static func map(_ text: String, detailed: Bool = true, at seconds: Double = 0) throws -> SignalingMessage {
        try sipMessage(
            text,
            at: PacketStamp(
                time: Fixture.start.adding(nanoseconds: Int64(seconds * 1e9)), source: SourceRef(capture: 0, frame: 1)),
            detailed: detailed)
    }

    static let invite = sipText("INVITE sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 INVITE")

    static func response(
        _ status: String, toTag: String? = "ph", cseq: String = "1 INVITE", body: String = ""
    )
        -> String
    {
        sipText("SIP/2.0 " + status, branch: "b1", cseq: cseq, toTag: toTag, body: body)
    }

    @Test func kindsAndOutcomesFollowTheStartLineAndTheCSeqMethod() throws {
        let cases: [(String, MessageKind, CallOutcome?)] = [
            (Self.invite, .offer, nil),
            (sipText("INVITE sip:bob@192.0.2.20 SIP/2.0", branch: "b2", cseq: "2 INVITE", toTag: "ph"), .update, nil),
            (sipText("ACK sip:bob@192.0.2.20 SIP/2.0", branch: "b3", cseq: "1 ACK", toTag: "ph"), .confirm, nil),
            (sipText("CANCEL sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 CANCEL"), .cancel, nil),
            (sipText("BYE sip:bob@192.0.2.20 SIP/2.0", branch: "b4", cseq: "2 BYE", toTag: "ph"), .hangup, nil),
            (sipText("REGISTER sip:example.com SIP/2.0", branch: "r1", cseq: "1 REGISTER"), .request, nil),
            (Self.response("100 Trying", toTag: nil), .progress, nil),
            (Self.response("183 Session Progress"), .ringing, nil),
            (Self.response("200 OK"), .answer, .answered),
            (Self.response("302 Moved Temporarily"), .redirect, .redirected),
            (Self.response("407 Proxy Authentication Required"), .challenge, .unauthorized),
            (Self.response("408 Request Timeout"), .reject, .timedOut),
            (Self.response("486 Busy Here"), .reject, .busy),
            (Self.response("487 Request Terminated"), .reject, .cancelled),
            (Self.response("603 Decline"), .reject, .declined),
            (Self.response("503 Service Unavailable"), .reject, .rejected),
            (Self.response("200 OK", cseq: "2 BYE"), .acknowledgement, nil),
            (Self.response("401 Unauthorized", cseq: "1 REGISTER"), .challenge, nil),
            (Self.response("200 OK", cseq: "1 REGISTER"), .response, nil),
        ]
        for (text, kind, outcome) in cases {
            let message = try Self.map(text)
            #expect(message.kind == kind, "\(message.label)")
            #expect(message.outcome == outcome, "\(message.label)")
        }
        #expect(try Self.map(Self.response("200 OK", cseq: "2 BYE")).method == "BYE")
    }

    @Test func aMessageWithoutCallIDBelongsToNoCall() throws {
        let text = Self.invite.replacingOccurrences(of: "Call-ID: call-1\r\n", with: "")
        let sip = try Array(text.utf8).withUnsafeBytes { try SIPParser.parse($0) }
        let context = SIPMapper.Context(
            source: .caller, destination: .proxy,
            stamp: PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1)),
            transport: .udp)
        #expect(SIPMapper.signalingMessage(sip, context: context) == nil)
    }

    @Test func theDetailHoldsTheHeaderFieldsRulesRead() throws {
        let detail = try #require(try Self.map(Self.response("486 Busy Here")).sip)
        #expect(detail.startLine == .response(code: 486, reason: "Busy Here"))
        #expect(detail.cseqNumber == 1)
        #expect(detail.cseqMethod == "INVITE")
        #expect(detail.branch == "b1")
        #expect(detail.fromTag == "a1")
        #expect(detail.toTag == "ph")
        #expect(detail.label == "486 Busy Here")
        #expect(detail.headline == "SIP/2.0 486 Busy Here")
    }

    /// A retransmission is the same message; a response with another reason phrase or another
    /// body is a message of its own, and so is a request from another dialog.
    @Test func identitiesAreEqualExactlyForCopiesOfOneMessage() throws {
        let ok = try Self.map(Self.response("200 OK", body: "v=0\r\n"))
        #expect(try Self.map(Self.response("200 OK", body: "v=0\r\n"), at: 0.5).identity == ok.identity)
        #expect(try Self.map(Self.response("200 Fine", body: "v=0\r\n")).identity != ok.identity)
        #expect(try Self.map(Self.response("200 OK", body: "v=1\r\n")).identity != ok.identity)
        #expect(try Self.map(Self.response("200 OK", toTag: "dk", body: "v=0\r\n")).identity != ok.identity)
        let invite = try Self.map(Self.invite)
        #expect(try Self.map(Self.invite, at: 0.5).identity == invite.identity)
        let otherTag = sipText("INVITE sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 INVITE", fromTag: "a2")
        #expect(try Self.map(otherTag).identity != invite.identity)
        let otherBranch = sipText("INVITE sip:bob@example.com SIP/2.0", branch: "b9", cseq: "1 INVITE")
        #expect(try Self.map(otherBranch).identity != invite.identity)
    }

    /// RFC 3261 §17.1.3: a transaction is the top Via branch and the CSeq method, with the ACK of a
    /// non-2xx in its INVITE's transaction and a CANCEL in one of its own.
    @Test func transactionsGroupARequestWithItsResponses() throws {
        let invite = try #require(try Self.map(Self.invite).transaction)
        #expect(try Self.map(Self.response("180 Ringing")).transaction == invite)
        #expect(try Self.map(Self.response("486 Busy Here")).transaction == invite)
        let ack = sipText("ACK sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 ACK", toTag: "ph")
        #expect(try Self.map(ack).transaction == invite)
        let cancel = sipText("CANCEL sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 CANCEL")
        #expect(try Self.map(cancel).transaction != invite)
        #expect(try Self.map(Self.response("200 OK", cseq: "1 CANCEL")).transaction == Self.map(cancel).transaction)
        let otherBranch = sipText("INVITE sip:bob@example.com SIP/2.0", branch: "b9", cseq: "1 INVITE")
        #expect(try Self.map(otherBranch).transaction != invite)
    }

    /// A dialog is the pair of tags in either order (RFC 3261 §12); a message without a To tag
    /// belongs to none yet.
    @Test func dialogsAreTheTagPairInEitherDirection() throws {
        #expect(try Self.map(Self.invite).dialog == nil)
        let dialog = try #require(try Self.map(Self.response("180 Ringing")).dialog)
        let calleeBye = sipText(
            "BYE sip:alice@192.0.2.10 SIP/2.0", branch: "z2", cseq: "1 BYE", fromTag: "ph", toTag: "a1",
            byCallee: true)
        #expect(try Self.map(calleeBye).dialog == dialog)
        #expect(try Self.map(Self.response("180 Ringing", toTag: "dk")).dialog != dialog)
    }

    /// The sender's device is a request's From tag and a response's To tag; the device a message
    /// is for, the other one.
    @Test func devicesAreTheTagsOfEachSide() throws {
        func tag(_ text: String) -> MessageKey { MessageKey(tag: SIPMapper.KeyTag.device, text: text) }
        let invite = try Self.map(Self.invite)
        #expect(invite.senderDevice?.key == tag("a1"))
        #expect(invite.receiverDevice == nil)
        let ringing = try Self.map(Self.response("180 Ringing"))
        #expect(ringing.senderDevice?.key == tag("ph"))
        #expect(ringing.senderDevice?.name == "ph")
        #expect(ringing.receiverDevice?.key == tag("a1"))
        #expect(try Self.map(Self.response("180 Ringing", toTag: "dk")).senderDevice != ringing.senderDevice)
    }

    @Test func linkTokensNameTheOtherLegs() throws {
        let text = sipText(
            "INVITE sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 INVITE",
            headers: [
                "X-Call-ID: leg-a", "X-CID: call-1",
                "Session-ID: ab30317f1a784dc48ff824d0d3715d86;remote=47755a9de7794ba387653f2099600ef2",
                "Replaces: old-call;to-tag=7;from-tag=8",
                "Refer-To: <sip:carol@example.com?Replaces=xfer%40host%3Bto-tag%3D1>",
            ])
        #expect(
            try Self.map(text).linkTokens == [
                .naming(CallKey(.sip, callID: "leg-a")),
                .shared(MessageKey(tag: SIPMapper.KeyTag.session, text: "ab30317f1a784dc48ff824d0d3715d86")),
                .shared(MessageKey(tag: SIPMapper.KeyTag.session, text: "47755a9de7794ba387653f2099600ef2")),
                .naming(CallKey(.sip, callID: "old-call")), .naming(CallKey(.sip, callID: "xfer@host")),
            ])
        let nullSession = sipText(
            "INVITE sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 INVITE",
            headers: ["Session-ID: 00000000000000000000000000000000"])
        #expect(try Self.map(nullSession).linkTokens.isEmpty)
    }

    /// `Reason: SIP;cause=200` on a CANCEL says another branch answered; a 6xx cause, that the
    /// call was declined elsewhere.
    @Test func aCancelsReasonSaysWhereTheCallWasSettled() throws {
        func cancel(_ reason: String) throws -> ElsewhereHint? {
            try Self.map(
                sipText(
                    "CANCEL sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 CANCEL", headers: ["Reason: " + reason]
                )
            ).elsewhere
        }
        #expect(try cancel("SIP;cause=200;text=\"Call completed elsewhere\"") == .answered)
        #expect(try cancel("SIP;cause=603;text=\"Declined\"") == .declined)
        #expect(try cancel("Q.850;cause=16") == nil)
    }

    @Test func truncatedDatagramsAreMarkedAndSaySo() throws {
        let cut = try Self.map(String(Self.response("603 Decline").prefix { $0 != "L" }) + "Content-Len")
        #expect(cut.truncated)
        #expect(cut.notes == ["truncated: the capture ends inside the headers"])
        let short = try sipMessage(Self.response("603 Decline"), missingBytes: 40)
        #expect(short.truncated)
        #expect(short.notes == ["truncated: the capture lacks 40 bytes of it"])
        #expect(!(try Self.map(Self.response("603 Decline")).truncated))
    }

    /// A call list needs only the keys: no start line, notes, attributes, agents or device names,
    /// and the same keys as a document gets.
    @Test func summaryModeKeepsTheKeysAndDropsThePresentation() throws {
        let sdp =
            "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 18000 RTP/AVP 0\r\n"
        let text = Self.response("200 OK", body: sdp).replacingOccurrences(
            of: "Content-Length", with: "Server: pbx/2\r\nContent-Type: application/sdp\r\nContent-Length")
        let detailed = try Self.map(text)
        let summary = try Self.map(text, detailed: false)
        #expect(detailed.headline == "SIP/2.0 200 OK")
        #expect(summary.headline == "")
        #expect(detailed.notes.first?.hasPrefix("SDP ") == true)
        #expect(summary.notes.isEmpty)
        #expect(detailed.attribute("server") == "pbx/2")
        #expect(summary.attributes.isEmpty)
        #expect(detailed.sender.agent == "pbx/2")
        #expect(summary.sender.agent == nil)
        #expect(detailed.sender.user == "bob@example.com")
        #expect(summary.sender.user == nil)
        #expect(summary.senderDevice?.name == nil)
        #expect(summary.label == "200 OK")
        #expect(summary.call == detailed.call)
        #expect(summary.identity == detailed.identity)
        #expect(summary.transaction == detailed.transaction)
        #expect(summary.dialog == detailed.dialog)
        #expect(summary.senderDevice == detailed.senderDevice)
        #expect(summary.mediaEndpoints == [Endpoint(Substring("192.0.2.20:18000"))!])
        #expect(summary.mediaEndpoints == detailed.mediaEndpoints)
        #expect(try Self.map(Self.invite, detailed: false).sender.user == "alice@example.com")
    }

    /// Compact header names are their long names: the same message written either way has the
    /// same keys.
    @Test func compactFormsMakeTheSameKeys() throws {
        let compact =
            [
                "SIP/2.0 180 Ringing", "v: SIP/2.0/UDP 192.0.2.10:5060;branch=b1", "f: <sip:alice@example.com>;tag=a1",
                "t: <sip:bob@example.com>;tag=ph", "i: call-1", "CSeq: 1 INVITE", "l: 0",
            ].joined(separator: "\r\n") + "\r\n\r\n"
        let short = try Self.map(compact)
        let long = try Self.map(Self.response("180 Ringing"))
        #expect(short.call == long.call)
        #expect(short.identity == long.identity)
        #expect(short.transaction == long.transaction)
        #expect(short.dialog == long.dialog)
        #expect(short.senderDevice == long.senderDevice)
    }
}

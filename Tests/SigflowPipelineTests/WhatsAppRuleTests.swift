import Foundation
import SigflowCore
import SigflowPipeline
import Testing

/// The rules no fixture plants (W3, W4, W7, W11), on small caller or callee logs written here in
/// whatsmeow's text format; and the same logs without the fault give no finding.
struct WhatsAppRuleTests {
    static let alice = "4915112345678:7@s.whatsapp.net"
    static let phone = "447700900123@s.whatsapp.net"
    static let desktop = "447700900123:24@s.whatsapp.net"

    /// One whatsmeow stdout line.
    static func line(_ time: String, _ direction: String, _ xml: String) -> String {
        "\(time) [Client/\(direction) DEBUG] \(xml)"
    }

    static func offer(_ time: String) -> String {
        line(
            time, "Send",
            #"<call id="OFFER1" to="447700900123@s.whatsapp.net"><offer call-creator="\#(alice)" call-id="CALL1">"#
                + #"<destination><to jid="\#(phone)"/><to jid="\#(desktop)"/></destination></offer></call>"#)
    }

    static func received(_ time: String, id: String, from: String, action: String, extra: String = "") -> [String] {
        [
            line(
                time, "Recv",
                #"<call from="\#(from)" id="\#(id)" t="1773324432"><\#(action) call-creator="\#(alice)" call-id="CALL1"\#(extra)/></call>"#
            ),
            line(time, "Send", #"<ack class="call" id="\#(id)" to="\#(from)"/>"#),
        ]
    }

    static func sent(_ time: String, id: String, to: String, action: String, extra: String = "") -> String {
        line(
            time, "Send",
            #"<call id="\#(id)" to="\#(to)"><\#(action) call-creator="\#(alice)" call-id="CALL1"\#(extra)/></call>"#)
    }

    static func findings(_ lines: [String]) throws -> [String] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-wa-\(UUID()).log")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try CallsJob.run(PipelineConfiguration(inputs: [.file(url.path)]))
        let call = try #require(result.calls.first { $0.callID == "CALL1" })
        return call.findings.map(\.ruleID)
    }

    @Test func secondAccept() throws {
        let lines =
            [Self.offer("14:07:12.000")]
            + Self.received("14:07:15.000", id: "A1", from: Self.desktop, action: "accept")
            + [
                Self.sent(
                    "14:07:15.010", id: "T1", to: Self.phone, action: "terminate",
                    extra: #" reason="accepted_elsewhere""#)
            ]
        #expect(try Self.findings(lines) == [])
        let faulty = lines + Self.received("14:07:16.000", id: "A2", from: Self.phone, action: "accept")
        #expect(try Self.findings(faulty).contains("whatsapp.W3.second-accept"))
    }

    @Test func callEndedRightAfterABusyReject() throws {
        let ringing =
            [Self.offer("14:07:12.000")]
            + Self.received("14:07:12.500", id: "P1", from: Self.phone, action: "preaccept")
            + Self.received("14:07:13.000", id: "R1", from: Self.desktop, action: "reject", extra: #" reason="busy""#)
        let faulty = ringing + [Self.sent("14:07:13.200", id: "T1", to: Self.phone, action: "terminate")]
        #expect(try Self.findings(faulty) == ["whatsapp.W4.call-ended-after-busy"])
        let patient =
            ringing + [
                Self.sent("14:07:58.000", id: "T1", to: Self.phone, action: "terminate", extra: #" reason="timeout""#)
            ]
        #expect(try Self.findings(patient) == [])
    }

    @Test func answerToAnEndedOffer() throws {
        // The callee's view: an offer that announces an already-ended call, then a preaccept.
        let ended = Self.line(
            "14:07:12.000", "Recv",
            #"<call from="\#(Self.alice)" id="OFFER1" t="1773324432"><offer call-creator="\#(Self.alice)" call-id="CALL1" is_call_ended="1"/></call>"#
        )
        let ack = Self.line("14:07:12.010", "Send", #"<ack class="call" id="OFFER1" to="\#(Self.alice)"/>"#)
        #expect(try Self.findings([ended, ack]) == [])
        let answer = Self.sent("14:07:12.100", id: "P1", to: Self.alice, action: "preaccept")
        #expect(try Self.findings([ended, ack, answer]) == ["whatsapp.W7.answer-to-ended-offer"])
    }

    @Test func refusedOfferThatContinues() throws {
        let refused = Self.line(
            "14:07:12.300", "Recv",
            #"<ack class="call" error="439" from="447700900123@s.whatsapp.net" id="OFFER1" t="1773324432" type="offer"/>"#
        )
        let lines = [Self.offer("14:07:12.000"), refused]
        #expect(
            try Self.findings(lines + [Self.sent("14:07:12.400", id: "T1", to: Self.phone, action: "terminate")]) == [])
        let faulty = lines + [Self.sent("14:07:13.000", id: "L1", to: Self.phone, action: "relaylatency")]
        #expect(try Self.findings(faulty) == ["whatsapp.W11.refused-offer-continues"])
    }
}

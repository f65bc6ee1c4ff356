import SigflowCore
import SigflowCorrelator
import SigflowTestSupport

@testable import SigflowWhatsApp

/// Small client logs for rule cases, written line by line in whatsmeow's text format: alice's
/// device calls bob, who has a phone and a desktop. Each log is decoded by `WhatsAppLogDecoder`,
/// the logs are merged by the policy's prepare, correlated, reviewed and checked, as the pipeline
/// does.
enum WALogCase {
    static let alice = "4915112345678:7@s.whatsapp.net"
    static let phone = "447700900123@s.whatsapp.net"
    static let desktop = "447700900123:24@s.whatsapp.net"

    /// One whatsmeow stdout line at `time` (HH:MM:SS.mmm).
    static func line(_ time: String, _ direction: String, _ xml: String) -> String {
        "\(time) [Client/\(direction) DEBUG] \(xml)"
    }

    /// alice's offer of CALL1 to both of bob's devices.
    static func offer(_ time: String) -> String {
        line(
            time, "Send",
            #"<call id="OFFER1" to="447700900123@s.whatsapp.net"><offer call-creator="\#(alice)" call-id="CALL1">"#
                + #"<destination><to jid="\#(phone)"/><to jid="\#(desktop)"/></destination></offer></call>"#)
    }

    /// A `<call>` received from `from`, and the log's ack of it.
    static func received(_ time: String, id: String, from: String, action: String, extra: String = "") -> [String] {
        [
            line(
                time, "Recv",
                #"<call from="\#(from)" id="\#(id)" t="1773324432"><\#(action) call-creator="\#(alice)" call-id="CALL1"\#(extra)/></call>"#
            ),
            line(time, "Send", #"<ack class="call" id="\#(id)" to="\#(from)"/>"#),
        ]
    }

    /// A `<call>` the log's device sends to `to`.
    static func sent(_ time: String, id: String, to: String, action: String, extra: String = "") -> String {
        line(
            time, "Send",
            #"<call id="\#(id)" to="\#(to)"><\#(action) call-creator="\#(alice)" call-id="CALL1"\#(extra)/></call>"#)
    }

    /// The messages of `logs` (one array of lines per log), decoded.
    static func decoded(_ logs: [[String]]) -> [SignalingMessage] {
        let collector = MessageCollector()
        let decoder = WhatsAppLogDecoder()
        for (index, lines) in logs.enumerated() {
            decoder.decode(
                bytes: Array((lines.joined(separator: "\n") + "\n").utf8), fileName: "log\(index + 1).log",
                captureIndex: index, into: collector)
        }
        return collector.messages
    }

    /// The calls of `messages`, merged, correlated and reviewed.
    static func calls(_ messages: [SignalingMessage]) -> (calls: [Call], end: CaptureTime) {
        let policy = WhatsAppCallPolicy()
        let prepared = policy.prepare(WhatsAppCallPolicy.grouped(messages)).calls.flatMap { $0 }
        let end = prepared.map(\.stamp.time).max()!.adding(nanoseconds: 1_000_000_000)
        let calls = CallCorrelator.correlate(
            prepared, captureCount: logsCount(prepared), captureEnd: end, policies: CallPolicies([policy])
        ).calls
        return (calls.map(policy.review), end)
    }

    static func logsCount(_ messages: [SignalingMessage]) -> Int {
        (messages.map(\.stamp.source.capture).max() ?? 0) + 1
    }

    /// What `rule` finds in CALL1 of `logs`, with `extra` messages (a capture's timeline) added to
    /// what the logs give.
    static func findings(
        _ rule: any CallRule, logs: [[String]], extra: ([SignalingMessage]) -> [SignalingMessage] = { _ in [] }
    ) -> [Finding] {
        let messages = decoded(logs)
        let (calls, end) = calls(messages + extra(messages))
        return rule.check(
            calls.first { $0.callID == "CALL1" }!, context: CheckContext(captureEnd: end, calls: calls))
    }
}

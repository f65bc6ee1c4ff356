import SigflowCore

/// X12: a session-initiate that is never answered with an IQ result or error.
struct XMPPInitiateNeverAckedRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X12.initiate-never-acked", signalingProtocol: .xmpp, severity: .error,
        summary: "A session-initiate never answered with an IQ result or error: every IQ-set must be answered.",
        clause: "XEP-0166 #protocol-response-ack; RFC 6120 §8.2.3")

    /// Clients give up on an IQ after 30 to 60 s; a capture shorter than this after the initiate
    /// cannot tell a missing answer from a late one.
    static let wait = 30.0

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        return view.jingleActions("session-initiate").compactMap { initiate in
            guard view.answers(to: initiate).isEmpty, context.covers(Self.wait, after: initiate.time) else {
                return nil
            }
            return descriptor.finding(
                "session-initiate (step \(initiate.step)) gets no IQ result or error in the \(Int(Self.wait)) s "
                    + "the capture shows after it.",
                steps: [initiate.step])
        }
    }
}

import SigflowCore

/// X14: a propose that nothing ever settles (no retract, reject, proceed or finish, no Jingle session)
/// although the capture goes on long after it.
struct XMPPDanglingProposeRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X14.dangling-propose", signalingProtocol: .xmpp, severity: .warning,
        summary:
            "A <propose> without any later <retract>, <reject>, <proceed> or <finish> although the capture covers "
            + "long after it.",
        clause: "XEP-0353 #finish, #business-rules")

    /// Clients ring for 30 to 60 s and then retract; two minutes of silence after a propose is a
    /// proposal left open, not one still ringing.
    static let wait = 120.0

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        guard let propose = view.jingleMessages("propose").first,
            view.jingleMessages("retract", "reject", "proceed", "accept", "finish").isEmpty,
            view.jingleActions().isEmpty, context.covers(Self.wait, after: propose.time)
        else { return [] }
        return [
            descriptor.finding(
                "<propose> (step \(propose.step)) is never retracted, rejected, accepted or finished, although the "
                    + "capture continues \(Int(Self.wait)) s and more after it.",
                steps: [propose.step])
        ]
    }
}

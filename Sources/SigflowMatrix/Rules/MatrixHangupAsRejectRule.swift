import SigflowCore

/// M10: a version 1 callee declines with m.call.hangup instead of m.call.reject.
struct MatrixHangupAsRejectRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M10.v1-decline-by-hangup", signalingProtocol: .matrix, severity: .warning,
        summary:
            "A version 1 callee declines with m.call.hangup without having answered; v1 callers (matrix-js-sdk) ignore it and ring until timeout.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.reject; matrix-js-sdk onHangupReceived")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite, invite.version != "0" else { return [] }
        let answered = Set(view.events("m.call.answer").map(\.party))
        return view.events("m.call.hangup").compactMap { hangup in
            guard hangup.senderUser != invite.senderUser || hangup.party != invite.party, hangup.version != "0",
                !answered.contains(hangup.party)
            else { return nil }
            return descriptor.finding(
                "\(hangup.party) declined the v1 call with m.call.hangup (step \(hangup.step)) instead of m.call.reject.",
                steps: [invite.step, hangup.step])
        }
    }
}

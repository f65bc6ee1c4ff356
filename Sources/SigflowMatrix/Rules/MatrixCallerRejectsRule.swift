import SigflowCore

/// M2: the caller "rejects" its own call.
struct MatrixCallerRejectsRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M2.caller-rejects", signalingProtocol: .matrix, severity: .error,
        summary:
            "The caller sends m.call.reject for its own call; a caller ends an unanswered call with m.call.hangup.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.reject")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite else { return [] }
        return view.events("m.call.reject").filter { $0.senderUser == invite.senderUser && $0.party == invite.party }
            .map { reject in
                descriptor.finding(
                    "The caller (\(invite.party)) sent m.call.reject (step \(reject.step)) for its own call.",
                    steps: [invite.step, reject.step])
            }
    }
}

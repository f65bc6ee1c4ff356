import SigflowCore

/// M13: a user other than the invitee answers or rejects.
struct MatrixNotInviteeRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M13.answer-by-non-invitee", signalingProtocol: .matrix, severity: .warning,
        summary: "A user other than the invite's invitee answers or rejects the call.",
        clause: "Matrix Client-Server API, Voice over IP: Invitees")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite, let invitee = invite.invitee else { return [] }
        return (view.events("m.call.answer") + view.events("m.call.reject")).compactMap { decision in
            guard let user = decision.senderUser, user != invitee else { return nil }
            return descriptor.finding(
                "\(user) sent \(decision.type) (step \(decision.step)) but the invite was for \(invitee).",
                steps: [invite.step, decision.step])
        }
    }
}

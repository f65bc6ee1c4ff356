import SigflowCore

/// S19: a device sends 600/603 while other devices of the call are still ringing.
struct SIPDeclineWhileOthersRingRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S19.decline-while-others-ring", signalingProtocol: .sip, severity: .warning,
        summary:
            "A device sends 600/603 (no other endpoint will answer) while another device of the call is still ringing; 486 is the per-device refusal.",
        clause: "RFC 3261 §21.6.1, §21.6.2, §13.3.1.3")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        let callees = Set(call.participants.filter { $0.role == .callee }.map(\.id))
        guard callees.count > 1 else { return [] }
        var findings: [Finding] = []
        for decline in view.steps
        where decline.isInviteResponse && callees.contains(decline.from) && [600, 603].contains(decline.status) {
            for other in callees.sorted() where other != decline.from {
                let responses = view.steps.filter { $0.isInviteResponse && $0.from == other && $0.time <= decline.time }
                guard let ringing = responses.first(where: { $0.isProvisional && $0.status != 100 }),
                    !responses.contains(where: \.isFinal)
                else { continue }
                findings.append(
                    descriptor.finding(
                        "\(decline.from) sent \(decline.step.message.label) (step \(decline.number)) while \(other) "
                            + "was still ringing (step \(ringing.number)).",
                        steps: [ringing.number, decline.number]))
            }
        }
        return findings
    }
}

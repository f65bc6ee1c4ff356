import SigflowCore

/// S1: a UAC receives a 6xx and then a 2xx for the same INVITE.
struct SIPAnswerAfterDeclineRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S1.answer-after-decline", signalingProtocol: .sip, severity: .error,
        summary:
            "A 2xx reaches the caller after a 6xx for the same INVITE: a proxy must hold a 6xx and cancel the other branches first.",
        clause: "RFC 3261 §16.7 step 5")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        return view.invites.compactMap { invite in
            let responses = view.responses(to: invite)
            guard let decline = responses.first(where: { $0.status?.isSixHundred == true }),
                let answer = responses.first(where: { $0.status?.isSuccess == true && $0.time >= decline.time })
            else { return nil }
            return descriptor.finding(
                "\(invite.from) received \(decline.step.message.label) (step \(decline.number)) and then "
                    + "\(answer.step.message.label) (step \(answer.number)) for the same INVITE (CSeq \(invite.cseq.map { String($0) } ?? "?")).",
                steps: [decline.number, answer.number])
        }
    }
}

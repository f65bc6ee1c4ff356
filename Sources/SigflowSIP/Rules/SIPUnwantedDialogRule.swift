import SigflowCore

/// S17: the caller gets 2xx from several devices (a forked INVITE answered twice) and does not
/// acknowledge each one, or keeps more than one of the dialogs without a BYE for 32 s.
struct SIPUnwantedDialogRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S17.unwanted-dialog-not-ended", signalingProtocol: .sip, severity: .warning,
        summary:
            "The caller receives 2xx from several devices and does not ACK each one, or does not end the dialogs "
            + "it does not want with BYE.",
        clause: "RFC 3261 §13.2.2.4")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        guard let callerID = call.caller?.id else { return [] }
        var findings: [Finding] = []
        for invite in view.invites where invite.from == callerID {
            // The first 2xx of each dialog (To tag) that reached the caller.
            var answers: [SIPStep] = []
            for answer in view.responses(to: invite) where answer.status?.isSuccess == true {
                guard let tag = answer.toTag, !answers.contains(where: { $0.toTag == tag }) else { continue }
                answers.append(answer)
            }
            // Judged only when the capture goes on for the UAC's 64*T1 after the last answer.
            guard answers.count > 1, let last = answers.last, context.covers(32, after: last.time) else { continue }
            let callerRequests = view.steps.filter { $0.from == callerID && $0.time >= answers[0].time }
            for answer in answers {
                let acked = callerRequests.contains { $0.isRequest("ACK") && $0.toTag == answer.toTag }
                if !acked {
                    findings.append(
                        descriptor.finding(
                            "The caller never acknowledged \(answer.step.message.label) from device "
                                + "\(answer.toTag ?? "?") (step \(answer.number)).",
                            steps: [answer.number]))
                }
            }
            // Kept: still without a BYE when the caller has had its 64*T1 to decide. A BYE on the wanted
            // dialog at the end of the call does not end the unwanted one.
            let decided = last.time.adding(nanoseconds: 32_000_000_000)
            let kept = answers.filter { answer in
                !callerRequests.contains { $0.isRequest("BYE") && $0.toTag == answer.toTag && $0.time <= decided }
            }
            if kept.count > 1 {
                findings.append(
                    descriptor.finding(
                        "The caller was answered by \(answers.count) devices and kept \(kept.count) of the dialogs "
                            + "(steps \(kept.map { String($0.number) }.joined(separator: ", "))) for 32 s without a BYE.",
                        steps: kept.map(\.number)))
            }
        }
        return findings
    }
}

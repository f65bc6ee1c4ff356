import SigflowCore

/// S2: a proxy forwards a 6xx upstream while other branches are still pending and uncancelled.
struct SIPDeclineForwardedWithPendingBranchesRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S2.decline-forwarded-with-pending-branches", signalingProtocol: .sip, severity: .warning,
        summary: "A proxy forwards a 6xx while other branches are still pending without cancelling them first.",
        clause: "RFC 3261 §16.7 steps 5 and 10")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for fork in view.forksByProxy {
            guard let forwarded = view.responses(to: fork.upstream).first(where: { $0.status?.isSixHundred == true })
            else { continue }
            for branch in fork.branches where branch.time < forwarded.time {
                let finalBefore = view.responses(to: branch).contains { $0.isFinal && $0.time <= forwarded.time }
                let cancelledBefore = view.requests("CANCEL", onHopOf: branch).contains { $0.time <= forwarded.time }
                guard !finalBefore && !cancelledBefore else { continue }
                findings.append(
                    descriptor.finding(
                        "\(fork.proxy) forwarded \(forwarded.step.message.label) (step \(forwarded.number)) while the "
                            + "branch to \(branch.to) (step \(branch.number)) was still pending and not cancelled.",
                        steps: [branch.number, forwarded.number]))
            }
        }
        return findings
    }
}

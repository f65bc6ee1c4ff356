import SigflowCore

/// S3: a proxy creates a new branch after a 6xx arrived.
struct SIPBranchAfterDeclineRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S3.branch-after-decline", signalingProtocol: .sip, severity: .error,
        summary: "A proxy forks a new branch after a 6xx arrived on another branch.",
        clause: "RFC 3261 §16.7 step 5")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for fork in view.forksByProxy {
            let declines = fork.branches.flatMap { view.responses(to: $0) }.filter { $0.status?.isSixHundred == true }
            guard let decline = declines.min(by: { $0.time < $1.time }) else { continue }
            for branch in fork.branches where branch.time > decline.time {
                findings.append(
                    descriptor.finding(
                        "\(fork.proxy) sent a new INVITE to \(branch.to) (step \(branch.number)) after receiving "
                            + "\(decline.step.message.label) (step \(decline.number)).",
                        steps: [decline.number, branch.number]))
            }
        }
        return findings
    }
}

import SigflowCore

/// S4: a proxy had a 6xx from one branch but sent upstream a 4xx, 5xx or 408 as the best response.
struct SIPDeclineNotChosenRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S4.decline-not-chosen", signalingProtocol: .sip, severity: .error,
        summary: "A proxy received a 6xx on one branch but forwarded another final refusal (4xx, 5xx, 408) upstream.",
        clause: "RFC 3261 §16.7 step 6")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for fork in view.forksByProxy {
            guard
                let forwarded = view.responses(to: fork.upstream).first(where: {
                    ($0.status ?? 0) >= 400 && $0.status?.isSixHundred == false
                })
            else { continue }
            // Only the branches the capture shows on the proxy's far side: the 6xx had to reach it first.
            let declines = fork.branches.flatMap { view.responses(to: $0) }.filter {
                $0.status?.isSixHundred == true && $0.time <= forwarded.time
            }
            guard let decline = declines.first else { continue }
            findings.append(
                descriptor.finding(
                    "\(fork.proxy) received \(decline.step.message.label) from \(decline.from) (step \(decline.number)) "
                        + "but forwarded \(forwarded.step.message.label) (step \(forwarded.number)): a 6xx in the "
                        + "response context must be the one chosen.",
                    steps: [decline.number, forwarded.number]))
        }
        return findings
    }
}

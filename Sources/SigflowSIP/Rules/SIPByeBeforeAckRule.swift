import SigflowCore

/// S13: the callee sends BYE before the ACK for its 2xx arrived.
struct SIPByeBeforeAckRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S13.bye-before-ack", signalingProtocol: .sip, severity: .error,
        summary: "The callee sends BYE after its 2xx but before the ACK (and before the 64*T1 timeout).",
        clause: "RFC 3261 §15")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        return view.steps.compactMap { bye in
            guard bye.isRequest("BYE"), let tag = bye.fromTag,
                let answer = view.steps.first(where: {
                    $0.isInviteResponse && $0.status?.isSuccess == true && $0.toTag == tag && $0.time <= bye.time
                })
            else { return nil }
            let acked = view.steps.contains { $0.isRequest("ACK") && $0.toTag == tag && $0.time <= bye.time }
            let timedOut = Double(bye.time.nanoseconds(since: answer.time)) / 1e9 >= 32
            guard !acked && !timedOut else { return nil }
            return descriptor.finding(
                "\(bye.from) sent BYE (step \(bye.number)) after its \(answer.step.message.label) (step "
                    + "\(answer.number)) but before any ACK for it.",
                steps: [answer.number, bye.number])
        }
    }
}

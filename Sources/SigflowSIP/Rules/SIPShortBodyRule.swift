import SigflowCore

/// S21: a UDP message whose body is shorter than its Content-Length.
struct SIPShortBodyRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S21.short-body", signalingProtocol: .sip, severity: .error,
        summary:
            "A UDP message's body is shorter than its Content-Length: the message is truncated and must be discarded (requests answered 400).",
        clause: "RFC 3261 §18.3")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        call.steps.compactMap { step in
            // A datagram the capture cut is short in the capture, not on the wire.
            guard step.message.transport == .udp, !step.message.truncated, let sip = step.message.sip,
                sip.bodyShortBy > 0
            else { return nil }
            return descriptor.finding(
                "\(step.message.label) (step \(step.number)) declares Content-Length "
                    + "\(sip.message?.header(.contentLength) ?? "?") but its body is \(sip.bodyShortBy) bytes short.",
                steps: [step.number])
        }
    }
}

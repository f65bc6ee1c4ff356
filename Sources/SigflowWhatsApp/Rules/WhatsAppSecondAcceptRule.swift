import SigflowCore

/// W3: a second callee device accepts after another one already did; the caller should have
/// dismissed the siblings with `accepted_elsewhere`.
struct WhatsAppSecondAcceptRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W3.second-accept", signalingProtocol: .whatsapp, severity: .warning,
        summary: "A second callee device accepts after the first accept. [U]",
        clause: "whatsapp-rust dismiss_outgoing_siblings")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        let accepts = view.calls(["accept"]).filter { $0.sender != view.creator }
        guard let first = accepts.first else { return [] }
        return accepts.dropFirst().filter { $0.sender != first.sender && first.precedes($0) }.map { second in
            descriptor.finding(
                "\(second.sender ?? "a device") accepts (step \(second.step)) after \(first.sender ?? "another device") "
                    + "already accepted (step \(first.step)).",
                steps: [first.step, second.step])
        }
    }
}

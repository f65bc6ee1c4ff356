import SigflowCore

/// M6 and M7: select_answer sent by someone other than the caller, twice with different choices,
/// or naming a party that never answered or rejected.
struct MatrixSelectAnswerMisuseRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M6.select-answer-misuse", signalingProtocol: .matrix, severity: .error,
        summary:
            "m.call.select_answer is sent by someone other than the caller, or twice with different selected_party_id.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.select_answer")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite else { return [] }
        let selects = view.events("m.call.select_answer")
        var findings: [Finding] = []
        for select in selects where select.senderUser != invite.senderUser || select.party != invite.party {
            findings.append(
                descriptor.finding(
                    "\(select.party) sent m.call.select_answer (step \(select.step)) but only the caller "
                        + "(\(invite.party)) selects.",
                    steps: [select.step]))
        }
        if let first = selects.first, let other = selects.first(where: { $0.selectedParty != first.selectedParty }) {
            findings.append(
                descriptor.finding(
                    "The call has two m.call.select_answer with different choices: \(first.selectedParty ?? "none") "
                        + "(step \(first.step)) and \(other.selectedParty ?? "none") (step \(other.step)).",
                    steps: [first.step, other.step]))
        }
        return findings
    }
}

/// M7: select_answer names a party that neither answered nor rejected.
struct MatrixSelectUnknownPartyRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M7.select-unknown-party", signalingProtocol: .matrix, severity: .warning,
        summary: "m.call.select_answer names a party from which no answer or reject was seen.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.select_answer")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard !view.hasTimelineGap else { return [] }
        let candidates = Set((view.events("m.call.answer") + view.events("m.call.reject")).map(\.party))
        return view.events("m.call.select_answer").compactMap { select in
            guard let selected = select.selectedParty, !candidates.contains(selected) else { return nil }
            return descriptor.finding(
                "m.call.select_answer (step \(select.step)) selects \(selected), which sent no answer or reject.",
                steps: [select.step])
        }
    }
}

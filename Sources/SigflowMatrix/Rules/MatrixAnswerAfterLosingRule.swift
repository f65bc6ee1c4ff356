import SigflowCore

/// M4: a device answers after it was told another party was selected.
struct MatrixAnswerAfterLosingRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M4.answer-after-other-selected", signalingProtocol: .matrix, severity: .error,
        summary: "A device answers after it received an m.call.select_answer choosing another party (or a reject).",
        clause: "Matrix Client-Server API, Voice over IP: m.call.select_answer, m.call.reject")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        var findings: [Finding] = []
        for answer in view.events("m.call.answer") {
            guard let device = answer.senderDevice else { continue }
            for select in view.events("m.call.select_answer") where select.selectedParty != answer.party {
                guard let told = select.delivery(to: device), told.time < answer.time else { continue }
                findings.append(
                    descriptor.finding(
                        "\(answer.party) answered (step \(answer.step)) after it had been told that "
                            + "\(select.selectedParty ?? "another party") was selected (step \(told.number)).",
                        steps: [told.number, answer.step]))
            }
        }
        return findings
    }
}

import SigflowCore

/// M3: a device rejects a call it already answered.
struct MatrixRejectAfterAnswerRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M3.reject-after-answer", signalingProtocol: .matrix, severity: .error,
        summary:
            "A device sends m.call.reject after it answered the same call; after answering, a call ends with m.call.hangup.",
        clause: "Matrix Client-Server API, Voice over IP: Client behaviour")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        let answers = view.events("m.call.answer")
        return view.events("m.call.reject").compactMap { reject in
            guard
                let answer = answers.first(where: {
                    $0.party == reject.party && $0.senderUser == reject.senderUser && $0.time < reject.time
                })
            else { return nil }
            return descriptor.finding(
                "\(reject.party) answered (step \(answer.step)) and then rejected (step \(reject.step)) the same call.",
                steps: [answer.step, reject.step])
        }
    }
}

import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M13: a user other than the invitee answers.
struct MatrixNotInviteeRuleTests {
    let rule = MatrixNotInviteeRule()

    func answered(by device: MatrixDevice) -> [Finding] {
        let room = MatrixRoom([.alice, .phone, .carol])
        room.ring([.phone, .carol], fields: #""invitee":"@bob:example.org""#)
        room.send(device, "answer")
        return room.findings(rule)
    }

    @Test func carolAnswersACallForBob() {
        let findings = answered(by: .carol)
        #expect(findings.map(\.outline) == ["matrix.M13.answer-by-non-invitee warning [1, 4]"])
        #expect(
            findings.first?.message
                == "@carol:example.org sent m.call.answer (step 4) but the invite was for @bob:example.org.")
    }

    @Test func bobAnswers() {
        #expect(answered(by: .phone).isEmpty)
    }
}

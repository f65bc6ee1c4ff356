import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M12: an answer or reject after the invite's lifetime, or after the caller's invite_timeout.
struct MatrixDecisionAfterExpiryRuleTests {
    let rule = MatrixDecisionAfterExpiryRule()

    func answer(after seconds: Double) -> [Finding] {
        let room = MatrixRoom()
        room.ring([.phone], fields: #""lifetime":30000"#)
        room.send(.phone, "answer", after: seconds)
        return room.findings(rule)
    }

    @Test func anAnswerAfterTheLifetime() {
        let findings = answer(after: 40)
        #expect(findings.map(\.outline) == ["matrix.M12.decision-after-expiry warning [1, 3]"])
        #expect(
            findings.first?.message
                == "bob-phone sent m.call.answer (step 3) after the invite's 30 s lifetime had run out.")
    }

    @Test func anAnswerWithinTheLifetime() {
        #expect(answer(after: 20).isEmpty)
    }

    @Test func anAnswerAfterTheCallerGaveUp() {
        let room = MatrixRoom()
        room.ring([.phone])
        room.send(.alice, "hangup", #""reason":"invite_timeout""#)
        room.send(.phone, "answer")
        #expect(
            room.findings(rule).map(\.message) == [
                "bob-phone sent m.call.answer (step 4) after the caller gave up with invite_timeout (step 3)."
            ])
    }
}

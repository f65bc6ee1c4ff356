import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M3: a device rejects a call it answered.
struct MatrixRejectAfterAnswerRuleTests {
    let rule = MatrixRejectAfterAnswerRule()

    @Test func thePhoneAnswersAndThenRejects() {
        let room = MatrixRoom()
        room.ring()
        room.send(.phone, "answer")
        room.send(.phone, "reject")
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M3.reject-after-answer error [4, 5]"])
        #expect(findings.first?.message == "bob-phone answered (step 4) and then rejected (step 5) the same call.")
    }

    /// The desk rejects after the phone answered: another device's decision.
    @Test func anotherDeviceRejectsAfterTheAnswer() {
        let room = MatrixRoom()
        room.ring()
        room.send(.phone, "answer")
        room.send(.desk, "reject")
        #expect(room.findings(rule).isEmpty)
    }
}

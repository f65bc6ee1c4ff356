import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M11: a decision for a call whose invite was never seen.
struct MatrixOrphanDecisionRuleTests {
    let rule = MatrixOrphanDecisionRule()

    @Test func anAnswerToNoInvite() {
        let room = MatrixRoom()
        room.sync(.alice, [room.send(.phone, "answer")])
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M11.decision-without-invite warning [1]"])
        #expect(
            findings.first?.message
                == "m.call.answer (step 1) concerns call c1, whose m.call.invite is not in the capture.")
    }

    /// alice's /sync skipped part of the room's timeline: the invite may be in what it skipped.
    @Test func anAnswerAfterATimelineGap() {
        let room = MatrixRoom()
        room.sync(.alice, [room.send(.phone, "answer")], limited: true)
        #expect(room.findings(rule).isEmpty)
    }
}

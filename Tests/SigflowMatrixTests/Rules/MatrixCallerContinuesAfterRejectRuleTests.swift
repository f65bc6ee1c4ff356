import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M8: the caller goes on after a reject reached it first.
struct MatrixCallerContinuesAfterRejectRuleTests {
    let rule = MatrixCallerContinuesAfterRejectRule()

    @Test func theCallerSendsCandidatesAfterTheReject() {
        let room = MatrixRoom()
        room.ring()
        room.sync(.alice, [room.send(.phone, "reject")])
        room.send(.alice, "candidates", #""candidates":[]"#)
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M8.caller-continues-after-reject error [5, 6]"])
        #expect(
            findings.first?.message
                == "The caller sent m.call.candidates (step 6) after a reject had reached it (step 5) before any "
                + "answer.")
    }

    /// The desk's answer reached alice first: the first of answer and reject wins, and she goes on
    /// with the desk.
    @Test func anAnswerCameFirst() {
        let room = MatrixRoom()
        room.ring()
        room.sync(.alice, [room.send(.desk, "answer")])
        room.sync(.alice, [room.send(.phone, "reject")])
        room.send(.alice, "select_answer", #""selected_party_id":"bob-desk""#)
        room.send(.alice, "candidates", #""candidates":[]"#)
        #expect(room.findings(rule).isEmpty)
    }
}

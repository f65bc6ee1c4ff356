import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M2: the caller rejects its own call.
struct MatrixCallerRejectsRuleTests {
    let rule = MatrixCallerRejectsRule()

    @Test func theCallerRejects() {
        let room = MatrixRoom()
        room.ring()
        room.send(.alice, "reject")
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M2.caller-rejects error [1, 4]"])
        #expect(findings.first?.message == "The caller (alice-laptop) sent m.call.reject (step 4) for its own call.")
    }

    @Test func theCallerHangsUp() {
        let room = MatrixRoom()
        room.ring()
        room.send(.alice, "hangup", #""reason":"user_hangup""#)
        #expect(room.findings(rule).isEmpty)
    }
}

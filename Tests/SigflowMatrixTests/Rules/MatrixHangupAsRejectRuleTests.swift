import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M10: a version 1 callee declines with m.call.hangup.
struct MatrixHangupAsRejectRuleTests {
    let rule = MatrixHangupAsRejectRule()

    @Test func aVersionOneCalleeHangsUpInsteadOfRejecting() {
        let room = MatrixRoom()
        room.ring()
        room.send(.phone, "hangup", #""reason":"user_hangup""#)
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M10.v1-decline-by-hangup warning [1, 4]"])
        #expect(
            findings.first?.message
                == "bob-phone declined the v1 call with m.call.hangup (step 4) instead of m.call.reject.")
    }

    /// Version 0 has no reject: a hang-up is how its callees decline.
    @Test func aVersionZeroCalleeHangsUp() {
        let room = MatrixRoom()
        room.ring(version: 0)
        room.send(.phone, "hangup", version: 0)
        #expect(room.findings(rule).isEmpty)
    }
}

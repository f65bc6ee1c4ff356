import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M1: m.call.reject for a version 0 invite.
struct MatrixRejectOfVersionZeroRuleTests {
    let rule = MatrixRejectOfVersionZeroRule()

    @Test func aVersionOneRejectOfAVersionZeroInvite() {
        let room = MatrixRoom()
        room.ring([.phone], version: 0)
        room.send(.phone, "reject")
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M1.reject-of-v0-invite error [1, 3]"])
        #expect(
            findings.first?.message
                == "@bob:example.org/PHONE rejected with m.call.reject (step 3) a version 0 invite (step 1); v0 "
                + "callers only understand m.call.hangup.")
    }

    /// A version 0 callee declines with m.call.hangup, as it should.
    @Test func aVersionZeroDeclineByHangUp() {
        let room = MatrixRoom()
        room.ring([.phone], version: 0)
        room.sync(.alice, [room.send(.phone, "hangup", version: 0)])
        #expect(room.call().outcome == .declined)
        #expect(room.findings(rule).isEmpty)
    }
}

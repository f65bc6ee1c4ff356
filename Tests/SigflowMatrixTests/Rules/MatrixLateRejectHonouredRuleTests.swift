import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M9: a reject that reaches the caller after it selected an answer tears the call down.
struct MatrixLateRejectHonouredRuleTests {
    let rule = MatrixLateRejectHonouredRule()

    /// The phone answers, alice selects it, and the desk's reject reaches her after (steps 4 to 8).
    func lateReject(_ room: MatrixRoom) {
        room.ring()
        room.sync(.alice, [room.send(.phone, "answer")])
        room.send(.alice, "select_answer", #""selected_party_id":"bob-phone""#)
        room.sync(.alice, [room.send(.desk, "reject")])
    }

    @Test func theCallerHangsUpOnTheLateReject() {
        let room = MatrixRoom()
        lateReject(room)
        room.send(.alice, "hangup", #""reason":"user_hangup""#, after: 0.5)
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M9.late-reject-honoured warning [6, 8, 9]"])
        #expect(
            findings.first?.message
                == "After selecting bob-phone (step 6), the caller received a late reject from bob-desk (step 8) and "
                + "hung up (step 9).")
    }

    /// A minute's talk later, the hang-up is the end of the call.
    @Test func theCallerHangsUpMuchLater() {
        let room = MatrixRoom()
        lateReject(room)
        room.send(.alice, "hangup", #""reason":"user_hangup""#, after: 60)
        #expect(room.findings(rule).isEmpty)
    }
}

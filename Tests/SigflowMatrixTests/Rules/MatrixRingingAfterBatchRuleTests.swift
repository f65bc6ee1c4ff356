import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M16: a device answers an invite whose end came in the same /sync batch.
struct MatrixRingingAfterBatchRuleTests {
    let rule = MatrixRingingAfterBatchRule()

    @Test func thePhoneAnswersAnInviteItKnewWasOver() {
        let room = MatrixRoom()
        let invite = room.send(.alice, "invite")
        let hangup = room.send(.alice, "hangup", #""reason":"user_hangup""#)
        room.sync(.phone, [invite, hangup])
        room.send(.phone, "answer")
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M16.ringing-after-ended-batch warning [3, 5]"])
        #expect(
            findings.first?.message
                == "bob-phone answered (step 5) although the /sync batch that brought the invite (step 3) also held "
                + "m.call.hangup (step 2).")
    }

    /// The hang-up came in a later batch, after the phone had answered.
    @Test func theHangUpCameLater() {
        let room = MatrixRoom()
        let invite = room.send(.alice, "invite")
        room.sync(.phone, [invite])
        room.send(.phone, "answer")
        room.sync(.phone, [room.send(.alice, "hangup", #""reason":"user_hangup""#)])
        #expect(room.findings(rule).isEmpty)
    }
}

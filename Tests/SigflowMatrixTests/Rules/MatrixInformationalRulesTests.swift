import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M14, M18, M19: what Matrix clients do differently from the spec, as information.
struct MatrixInformationalRulesTests {
    @Test func aRejectWithAReason() {
        let room = MatrixRoom()
        room.ring()
        room.send(.phone, "reject", #""reason":"busy""#)
        let findings = room.findings(MatrixRejectWithReasonRule())
        #expect(findings.map(\.outline) == ["matrix.M14.reject-with-reason info [4]"])
        #expect(findings.first?.message == "m.call.reject (step 4) carries reason 'busy'.")
    }

    @Test func aRejectWithoutAReason() {
        let room = MatrixRoom()
        room.ring()
        room.send(.phone, "reject")
        #expect(room.findings(MatrixRejectWithReasonRule()).isEmpty)
    }

    func hangUp(reason: String) -> [Finding] {
        let room = MatrixRoom()
        room.ring()
        room.send(.alice, "hangup", #""reason":"\#(reason)""#)
        return room.findings(MatrixUnknownHangupReasonRule())
    }

    @Test func aHangUpReasonOutsideTheSpec() {
        let findings = hangUp(reason: "replaced")
        #expect(findings.map(\.outline) == ["matrix.M18.unknown-hangup-reason info [4]"])
        #expect(
            findings.first?.message == "m.call.hangup (step 4) gives reason 'replaced', which the spec does not define."
        )
    }

    @Test func aHangUpReasonOfTheSpec() {
        #expect(hangUp(reason: "user_hangup").isEmpty)
    }

    @Test func aRejectTheCallerNeverSelects() {
        let room = MatrixRoom()
        room.ring()
        room.sync(.alice, [room.send(.phone, "reject")])
        let findings = room.findings(MatrixRejectNotSelectedRule())
        #expect(findings.map(\.outline) == ["matrix.M19.reject-not-selected info [4]"])
        #expect(
            findings.first?.message
                == "The call ended with a reject from bob-phone (step 4) that the caller never selected.")
    }

    /// The spec's way: the caller selects the reject it acts on.
    @Test func aRejectTheCallerSelects() {
        let room = MatrixRoom()
        room.ring()
        room.sync(.alice, [room.send(.phone, "reject")])
        room.send(.alice, "select_answer", #""selected_party_id":"bob-phone""#)
        #expect(room.findings(MatrixRejectNotSelectedRule()).isEmpty)
    }
}

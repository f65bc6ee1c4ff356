import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M5: a party that was not selected keeps sending.
struct MatrixLoserContinuesRuleTests {
    let rule = MatrixLoserContinuesRule()

    /// Both answer; alice selects the phone (steps 4 to 8).
    func bothAnswered(_ room: MatrixRoom) -> String {
        room.ring()
        let answers = [room.send(.phone, "answer"), room.send(.desk, "answer")]
        room.sync(.alice, answers)
        return room.send(.alice, "select_answer", #""selected_party_id":"bob-phone""#)
    }

    @Test func theDeskSendsCandidatesAfterLosing() {
        let room = MatrixRoom()
        let select = bothAnswered(room)
        room.sync(.desk, [select])
        room.send(.desk, "candidates", #""candidates":[{"candidate":"candidate:1 1 udp 1 192.0.2.12 50002 typ host"}]"#)
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M5.unselected-party-continues warning [9, 10]"])
        #expect(
            findings.first?.message
                == "bob-desk sent m.call.candidates (step 10) after learning that bob-phone was selected (step 9).")
    }

    /// Candidates the desk sent before the select reached it.
    @Test func candidatesBeforeTheSelectionArrived() {
        let room = MatrixRoom()
        let select = bothAnswered(room)
        room.send(.desk, "candidates", #""candidates":[]"#)
        room.sync(.desk, [select])
        #expect(room.findings(rule).isEmpty)
    }
}

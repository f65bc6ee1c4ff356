import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M4: a device answers after it was told another party was selected.
struct MatrixAnswerAfterLosingRuleTests {
    let rule = MatrixAnswerAfterLosingRule()

    /// The phone answers and alice selects it (steps 4 to 6).
    func phoneSelected(_ room: MatrixRoom) -> String {
        room.ring()
        let answer = room.send(.phone, "answer")
        room.sync(.alice, [answer])
        return room.send(.alice, "select_answer", #""selected_party_id":"bob-phone""#)
    }

    @Test func theDeskAnswersAfterLearningOfTheSelection() {
        let room = MatrixRoom()
        let select = phoneSelected(room)
        room.sync(.desk, [select])
        room.send(.desk, "answer")
        let findings = room.findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M4.answer-after-other-selected error [7, 8]"])
        #expect(
            findings.first?.message
                == "bob-desk answered (step 8) after it had been told that bob-phone was selected (step 7).")
    }

    /// The desk's answer crossed the selection: it answered before the select reached it.
    @Test func anAnswerCrossingTheSelection() {
        let room = MatrixRoom()
        let select = phoneSelected(room)
        room.send(.desk, "answer")
        room.sync(.desk, [select])
        #expect(room.findings(rule).isEmpty)
    }
}

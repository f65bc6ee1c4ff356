import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M6 and M7: select_answer from someone other than the caller, twice with different choices, or
/// naming a party that neither answered nor rejected.
struct MatrixSelectAnswerMisuseRuleTests {
    /// The phone answers and alice hears of it (steps 4 and 5).
    func answered(_ room: MatrixRoom, limited: Bool = false) {
        room.ring()
        room.sync(.alice, [room.send(.phone, "answer")], limited: limited)
    }

    func select(_ room: MatrixRoom, _ party: String, by device: MatrixDevice = .alice) -> String {
        room.send(device, "select_answer", #""selected_party_id":"\#(party)""#)
    }

    @Test func theCalleeSelects() {
        let room = MatrixRoom()
        answered(room)
        _ = select(room, "bob-phone", by: .phone)
        let findings = room.findings(MatrixSelectAnswerMisuseRule())
        #expect(findings.map(\.outline) == ["matrix.M6.select-answer-misuse error [6]"])
        #expect(
            findings.first?.message
                == "bob-phone sent m.call.select_answer (step 6) but only the caller (alice-laptop) selects.")
    }

    @Test func theCallerChangesItsChoice() {
        let room = MatrixRoom()
        answered(room)
        _ = select(room, "bob-phone")
        _ = select(room, "bob-desk")
        #expect(
            room.findings(MatrixSelectAnswerMisuseRule()).map(\.message) == [
                "The call has two m.call.select_answer with different choices: bob-phone (step 6) and bob-desk (step 7)."
            ])
    }

    /// One select from the caller, handed to both devices.
    @Test func oneSelectionDeliveredToEveryDevice() {
        let room = MatrixRoom()
        answered(room)
        let selection = select(room, "bob-phone")
        room.sync(.phone, [selection])
        room.sync(.desk, [selection])
        #expect(room.findings(MatrixSelectAnswerMisuseRule()).isEmpty)
        #expect(room.findings(MatrixSelectUnknownPartyRule()).isEmpty)
    }

    @Test func aSelectionOfAPartyThatNeverAnswered() {
        let room = MatrixRoom()
        answered(room)
        _ = select(room, "bob-desk")
        let findings = room.findings(MatrixSelectUnknownPartyRule())
        #expect(findings.map(\.outline) == ["matrix.M7.select-unknown-party warning [6]"])
        #expect(
            findings.first?.message == "m.call.select_answer (step 6) selects bob-desk, which sent no answer or reject."
        )
    }

    /// alice's /sync skipped part of the timeline: the desk's answer may be among what it missed.
    @Test func aSelectionAfterATimelineGap() {
        let room = MatrixRoom()
        answered(room, limited: true)
        _ = select(room, "bob-desk")
        #expect(room.findings(MatrixSelectUnknownPartyRule()).isEmpty)
    }
}

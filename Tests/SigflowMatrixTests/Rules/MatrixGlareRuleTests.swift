import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M15: glare in one room: the call with the lesser call_id must survive.
struct MatrixGlareRuleTests {
    let rule = MatrixGlareRule()

    /// alice calls c-a and bob's phone calls c-b at once; each gets the other's invite.
    func crossingInvites(_ room: MatrixRoom) -> (lesser: String, greater: String) {
        let lesser = room.send(.alice, "invite", call: "c-a")
        let greater = room.send(.phone, "invite", call: "c-b")
        room.sync(.phone, [lesser])
        room.sync(.alice, [greater])
        return (lesser, greater)
    }

    @Test func theLesserCallIsAborted() {
        let room = MatrixRoom([.alice, .phone])
        _ = crossingInvites(room)
        room.send(.alice, "hangup", #""reason":"user_hangup""#, call: "c-a")
        room.sync(.phone, [room.send(.alice, "answer", call: "c-b")])
        #expect(room.call("c-a").outcome == .cancelled)
        let findings = room.findings(rule, call: "c-a")
        #expect(findings.map(\.outline) == ["matrix.M15.glare-wrong-call-kept warning [1]"])
        #expect(
            findings.first?.message
                == "Glare with call c-b: this call has the lesser call_id and should have survived, but its caller "
                + "aborted it.")
        #expect(room.findings(rule, call: "c-b").isEmpty)
    }

    @Test func bothCallsAreAnswered() {
        let room = MatrixRoom([.alice, .phone])
        _ = crossingInvites(room)
        room.sync(.alice, [room.send(.phone, "answer", call: "c-a")])
        room.sync(.phone, [room.send(.alice, "answer", call: "c-b")])
        #expect(room.call("c-a").outcome == .answered)
        #expect(room.call("c-b").outcome == .answered)
        #expect(
            room.findings(rule, call: "c-a").map(\.message) == [
                "Glare with call c-b: both calls were answered; the one with the greater call_id should have been "
                    + "aborted."
            ])
    }

    /// The spec's resolution: bob drops his greater c-b and answers c-a.
    @Test func theGreaterCallIsAborted() {
        let room = MatrixRoom([.alice, .phone])
        _ = crossingInvites(room)
        room.send(.phone, "hangup", #""reason":"user_hangup""#, call: "c-b")
        room.sync(.alice, [room.send(.phone, "answer", call: "c-a")])
        #expect(room.call("c-a").outcome == .answered)
        #expect(room.findings(rule, call: "c-a").isEmpty)
        #expect(room.findings(rule, call: "c-b").isEmpty)
    }
}

import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMatrix

/// M17: media going on after the call ended for a device.
struct MatrixMediaAfterEndRuleTests {
    let rule = MatrixMediaAfterEndRule()

    /// The phone answers and is selected; its media flows for `seconds` and alice hangs up a
    /// second into it.
    func hungUp(mediaSeconds seconds: Double) -> MatrixRoom {
        let room = MatrixRoom()
        room.ring([.phone])
        room.sync(.alice, [room.send(.phone, "answer")])
        room.send(.alice, "select_answer", #""selected_party_id":"bob-phone""#)
        room.media(from: .phone, to: .alice, seconds: seconds)
        room.sync(.phone, [room.send(.alice, "hangup", #""reason":"user_hangup""#, after: 1)])
        return room
    }

    @Test func mediaGoesOnAfterTheHangUp() {
        let findings = hungUp(mediaSeconds: 8).findings(rule)
        #expect(findings.map(\.outline) == ["matrix.M17.media-after-end error [7, 9]"])
        #expect(
            findings.first?.message
                == "Media from callee to caller (RTP 192.0.2.11:50000 -> 192.0.2.10:50002) goes on 7.0 s after "
                + "m.call.hangup (step 7): RTP stops: 400 packets in 8.0 s at step 9.")
    }

    @Test func mediaWithinTheGrace() {
        #expect(hungUp(mediaSeconds: 3).findings(rule).isEmpty)
    }

    /// Both devices answer; alice selects the phone while the desk's media goes on.
    @Test func theUnselectedDevicesMediaGoesOn() {
        let room = MatrixRoom()
        room.ring()
        room.sync(.alice, [room.send(.phone, "answer"), room.send(.desk, "answer")])
        room.media(from: .desk, to: .alice, seconds: 6)
        room.send(.alice, "select_answer", #""selected_party_id":"bob-phone""#, after: 0.5)
        #expect(
            room.findings(rule).map(\.message) == [
                "Media from callee2 to caller (RTP 192.0.2.12:50000 -> 192.0.2.10:50002) goes on 5.5 s after "
                    + "m.call.select_answer of bob-phone (step 9): RTP stops: 300 packets in 6.0 s at step 10."
            ])
    }
}

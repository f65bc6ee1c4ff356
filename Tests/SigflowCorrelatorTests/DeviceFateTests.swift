import SigflowCore
import Testing

@testable import SigflowCorrelator

/// Each device a call rang, and how it ended for it.
struct DeviceFateTests {
    /// alice rings bob's phone and desk herself.
    static func ringingBoth() -> Script {
        let script = Script()
        script.send(.offer, "alice", "bob-phone", transaction: "t1")
        script.send(.offer, "alice", "bob-desk", transaction: "t2")
        script.send(.ringing, "bob-phone", "alice", transaction: "t1", device: "phone")
        script.send(.ringing, "bob-desk", "alice", transaction: "t2", device: "desk")
        return script
    }

    @Test func theOtherDeviceIsCancelledWhenOneAnswers() {
        let script = Self.ringingBoth()
        script.send(.answer, "bob-phone", "alice", transaction: "t1", outcome: .answered, device: "phone")
        script.send(.cancel, "alice", "bob-desk", transaction: "t2c", toDevice: "desk", elsewhere: .answered)
        #expect(script.call().deviceFates == ["callee1 phone: answered", "callee2 desk: answered-elsewhere"])
    }

    @Test func theOtherDeviceIsCancelledWhenOneDeclines() {
        let script = Self.ringingBoth()
        script.send(.reject, "bob-phone", "alice", transaction: "t1", outcome: .declined, device: "phone")
        script.send(.cancel, "alice", "bob-desk", transaction: "t2c", toDevice: "desk")
        #expect(script.call().deviceFates == ["callee1 phone: declined", "callee2 desk: declined-elsewhere"])
    }

    /// "Completed elsewhere" when nobody answered is not believed: the desk was cancelled.
    @Test func aClaimTheCallDoesNotBearOutIsNotBelieved() {
        let script = Self.ringingBoth()
        script.send(.cancel, "alice", "bob-desk", transaction: "t2c", toDevice: "desk", elsewhere: .answered)
        script.send(.cancel, "alice", "bob-phone", transaction: "t1c", toDevice: "phone")
        let call = script.call()
        #expect(call.outcome == .cancelled)
        #expect(call.deviceFates == ["callee1 phone: cancelled", "callee2 desk: cancelled"])
    }

    /// A device that answered after the call was answered elsewhere lost the race.
    @Test func anAnswerAfterTheHintLosesTheRace() {
        let script = Self.ringingBoth()
        script.send(.answer, "bob-phone", "alice", transaction: "t1", outcome: .answered, device: "phone")
        script.send(.answer, "bob-desk", "alice", transaction: "t2", outcome: .answered, device: "desk")
        script.send(.cancel, "alice", "bob-desk", transaction: "t2c", toDevice: "desk", elsewhere: .answered)
        #expect(script.call().deviceFates == ["callee1 phone: answered", "callee2 desk: answered-elsewhere"])
    }

    /// Behind a server whose far side the capture lacks, each device key the server passes on is a
    /// device of its own, with its fate from the call; a challenge is the server's own.
    @Test func devicesHiddenBehindARelay() {
        let script = Script()
        script.send(.offer, "alice", "server", transaction: "t1")
        script.send(.challenge, "server", "alice", transaction: "t1", outcome: .unauthorized, device: "relay")
        script.send(.offer, "alice", "server", transaction: "t2")
        script.send(.ringing, "server", "alice", transaction: "t2", device: "phone")
        script.send(.ringing, "server", "alice", transaction: "t2", device: "desk")
        script.send(.answer, "server", "alice", transaction: "t2", outcome: .answered, device: "desk")
        let call = script.call()
        #expect(call.deviceFates == ["server phone: answered-elsewhere", "server desk: answered"])
        #expect(
            call.participants[1].devices.map(\.label) == ["device phone behind server", "device desk behind server"])
    }

    /// A device the capture shows, told nothing final, is incomplete.
    @Test func aDeviceToldNothingIsIncomplete() {
        let script = Self.ringingBoth()
        script.send(.answer, "bob-phone", "alice", transaction: "t1", outcome: .answered, device: "phone")
        let call = script.call()
        #expect(call.deviceFates == ["callee1 phone: answered", "callee2 desk: incomplete"])
        #expect(call.participants.map { $0.outcome?.rawValue } == ["answered", "answered", "incomplete"])
    }
}

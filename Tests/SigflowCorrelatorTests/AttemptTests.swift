import SigflowCore
import Testing

@testable import SigflowCorrelator

/// A challenge answered by the request again is a step of the call, not its outcome (RFC 3261
/// §22.2): outcome, devices and timers follow the caller's last attempt.
struct AttemptTests {
    /// alice's offer is challenged, she offers again with credentials, bob rings and answers.
    static func challengedThenAnswered() -> Script {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1", method: "INVITE")
        script.send(
            .challenge, "bob", "alice", transaction: "t1", method: "INVITE", status: 401, outcome: .unauthorized,
            device: "challenger")
        script.send(.confirm, "alice", "bob", transaction: "t1", method: "INVITE")
        script.send(.offer, "alice", "bob", after: 1, transaction: "t2", method: "INVITE")
        script.send(.ringing, "bob", "alice", after: 0.5, transaction: "t2", method: "INVITE", device: "phone")
        script.send(
            .answer, "bob", "alice", after: 2, transaction: "t2", method: "INVITE", status: 200, outcome: .answered,
            device: "phone")
        script.send(.hangup, "alice", "bob", after: 10, method: "BYE")
        return script
    }

    @Test func theLastAttemptSettlesTheCallAndStartsItsTimers() {
        let call = Self.challengedThenAnswered().call()
        #expect(call.outcome == .answered)
        #expect(call.attemptStep == 4)
        #expect(call.settlingStep == 6)
        #expect(call.timing.postDialDelay == 500_000_000)
        #expect(call.timing.timeToDecision == 2_500_000_000)
        #expect(call.timing.duration == 10_000_000_000)
        // The challenger's tag is no device: the retried challenge is left out.
        #expect(call.deviceFates == ["callee phone: answered"])
    }

    @Test func aChallengeNeverRetriedRefusesTheCall() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1", method: "INVITE")
        script.send(
            .challenge, "bob", "alice", transaction: "t1", method: "INVITE", status: 407, outcome: .unauthorized)
        script.send(.confirm, "alice", "bob", transaction: "t1", method: "INVITE")
        let call = script.call()
        #expect(call.outcome == .unauthorized)
        #expect(call.settlingStep == 2)
        #expect(call.attemptStep == 1)
    }

    /// A request of another method after the challenge is no retry of it.
    @Test func aRetryIsTheSameMethodInANewTransaction() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1", method: "INVITE")
        script.send(
            .challenge, "bob", "alice", transaction: "t1", method: "INVITE", status: 401, outcome: .unauthorized)
        script.send(.request, "alice", "bob", transaction: "t2", method: "OPTIONS")
        let assembler = CallAssembler(steps: [], captureEnd: nil, policy: ScriptPolicy(), detailed: true)
        #expect(assembler.retriedChallenges(script.call().steps).isEmpty)
        #expect(assembler.retriedChallenges(Self.challengedThenAnswered().call().steps) == [2])
    }
}

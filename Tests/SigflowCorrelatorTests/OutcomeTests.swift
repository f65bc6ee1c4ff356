import SigflowCore
import Testing

@testable import SigflowCorrelator

/// How the caller's call ended: the decision that settled it, or what the caller did, or the clock.
struct OutcomeTests {
    /// alice offers to two devices at once; the phone declines, the desk answers after it.
    @Test func amongParallelBranchesAnAnswerSettlesTheCall() {
        let script = Script()
        script.send(.offer, "alice", "bob-phone", transaction: "t1")
        script.send(.offer, "alice", "bob-desk", transaction: "t2")
        script.send(.reject, "bob-phone", "alice", transaction: "t1", outcome: .declined, device: "phone")
        script.send(.answer, "bob-desk", "alice", transaction: "t2", outcome: .answered, device: "desk")
        let call = script.call()
        #expect(call.outcome == .answered)
        #expect(call.settlingStep == 4)
        #expect(call.deviceFates == ["callee1 phone: declined", "callee2 desk: answered"])
    }

    /// On one branch the first decision settles it: a 2xx after a 6xx is a fault for the checks.
    @Test func onOneBranchTheFirstDecisionSettlesTheCall() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.reject, "bob", "alice", transaction: "t1", outcome: .declined)
        script.send(.answer, "bob", "alice", transaction: "t1", outcome: .answered)
        let call = script.call()
        #expect(call.outcome == .declined)
        #expect(call.settlingStep == 2)
        #expect(call.finalReason == "reject")
    }

    /// A decision the caller cannot act on settles the device, not the call.
    @Test func anUnheardDecisionSettlesNothing() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(
            .reject, "bob", "alice", transaction: "t1", outcome: .declined, device: "bob", ignoredByCaller: true)
        let call = script.call(captureEndsAfter: 1)
        #expect(call.settlingStep == nil)
        #expect(call.outcome == .incomplete)
        #expect(call.participants.map { $0.outcome?.rawValue } == ["incomplete", "declined"])
        #expect(script.call(captureEndsAfter: 11).outcome == .timedOut)
    }

    @Test func theCallersCancelCancelsTheCall() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.ringing, "bob", "alice", transaction: "t1")
        script.send(.cancel, "alice", "bob", transaction: "t1c")
        #expect(script.call().outcome == .cancelled)
        script.send(.reject, "bob", "alice", transaction: "t1", outcome: .cancelled)
        #expect(script.call().outcome == .cancelled)
    }

    /// "Request terminated" that no cancel of the caller's asked for is a refusal.
    @Test func aTerminationWithoutTheCallersCancelIsARefusal() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.reject, "bob", "alice", transaction: "t1", outcome: .cancelled, device: "bob")
        let call = script.call()
        #expect(call.outcome == .rejected)
        #expect(call.participants.map { $0.outcome?.rawValue } == ["rejected", "rejected"])
    }

    /// An offer nobody answers timed out once the capture went on for the offer timeout (or the
    /// offer's own lifetime); before that the capture simply ends first.
    @Test func anUnansweredOfferTimesOutOnlyWhenTheCaptureCoversTheWait() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.ringing, "bob", "alice", transaction: "t1")
        #expect(script.call(captureEndsAfter: 5).outcome == .incomplete)
        #expect(script.call(captureEndsAfter: 10).outcome == .timedOut)
        #expect(script.call(captureEndsAfter: nil).outcome == .incomplete)
        let short = Script()
        short.send(.offer, "alice", "bob", transaction: "t1", lifetime: 3)
        #expect(short.call(captureEndsAfter: 2).outcome == .incomplete)
        #expect(short.call(captureEndsAfter: 4).outcome == .timedOut)
    }

    /// A callee that hangs up an unanswered call declines it (how Matrix v0 callees refuse).
    @Test func aCalleesHangUpBeforeAnyAnswerIsItsRefusal() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.hangup, "bob", "alice", outcome: .declined)
        #expect(script.call().outcome == .declined)
    }

    /// The caller giving up on the clock (Matrix invite_timeout).
    @Test func theCallersTimeoutMessage() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.hangup, "alice", "bob", outcome: .timedOut)
        #expect(script.call().outcome == .timedOut)
    }

    /// Post-dial delay ends at the ringing the caller hears; duration runs from the answer to the
    /// hang-up, or to the last message when nobody hangs up.
    @Test func timersCountFromTheOffer() {
        let script = Script()
        script.send(.offer, "alice", "edge", transaction: "t1")
        script.send(.offer, "edge", "bob", transaction: "t2")
        script.send(.ringing, "bob", "edge", after: 1, transaction: "t2")
        script.send(.ringing, "edge", "alice", after: 0.2, transaction: "t1")
        script.send(.answer, "edge", "alice", after: 3, transaction: "t1", outcome: .answered)
        script.send(.candidates, "alice", "edge", after: 4)
        let timing = script.call().timing
        #expect(timing.postDialDelay == 1_300_000_000)
        #expect(timing.timeToDecision == 4_300_000_000)
        #expect(timing.duration == 4_000_000_000)
        #expect(timing.end.nanoseconds(since: timing.start) == 8_300_000_000)
    }
}

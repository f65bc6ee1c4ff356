import SigflowCore
import Testing

@testable import SigflowCorrelator

/// Copies of one message on one hop are one step: later copies in the same capture are
/// retransmissions, copies in other captures are sightings of it.
struct StepTests {
    @Test func laterCopiesOnTheSameHopAreRetransmissions() {
        let script = Script()
        script.send(.offer, "alice", "bob", copy: "invite")
        script.send(.reject, "bob", "alice", copy: "busy", outcome: .busy)
        script.send(.reject, "bob", "alice", after: 0.5, copy: "busy", outcome: .busy)
        script.send(.reject, "bob", "alice", after: 1, copy: "busy", outcome: .busy)
        let call = script.call()
        #expect(call.steps.count == 2)
        #expect(call.steps[1].retransmissions.map(\.source.frame) == [3, 4])
        #expect(call.steps[1].sightings.map(\.source.frame) == [2])
    }

    /// The same message forwarded to another party is a step of its own.
    @Test func theSameIdentityOnAnotherHopIsAnotherStep() {
        let script = Script()
        script.send(.offer, "alice", "edge", copy: "invite")
        script.send(.offer, "edge", "bob", copy: "invite")
        #expect(script.call().arrows == ["caller>proxy offer", "proxy>callee offer"])
    }

    /// Two captures of the same hops, the second's clock 5 s ahead: each message is one step seen
    /// twice, on the first capture's clock; a copy only the second capture holds is a
    /// retransmission.
    @Test func copiesInOtherCapturesAreSightingsOnOneClock() {
        let script = Script()
        script.send(.offer, "alice", "bob", copy: "invite")
        script.send(.offer, "alice", "bob", after: 5, copy: "invite", capture: 1)
        script.send(.ringing, "bob", "alice", after: -4.9, copy: "ringing")
        script.send(.ringing, "bob", "alice", after: 5, copy: "ringing", capture: 1)
        script.send(.ringing, "bob", "alice", after: 0.5, copy: "ringing", capture: 1)
        let result = CallCorrelator.correlate(
            script.messages, captureCount: 2, captureEnd: nil, policies: CallPolicies([ScriptPolicy()]))
        #expect(result.clockOffsets.map(\.nanoseconds) == [5_000_000_000])
        #expect(result.clockOffsets.map(\.sharedMessages) == [2])
        let call = result.calls[0]
        #expect(call.steps.map { $0.sightings.map(\.source.capture) } == [[0, 1], [0, 1]])
        #expect(call.steps[1].retransmissions.map(\.source.frame) == [5])
        #expect(call.steps[1].time == call.steps[1].sightings[0].time)
    }

    @Test func stepsAreNumberedInTimeOrder() {
        let script = Script()
        script.send(.offer, "alice", "bob")
        script.send(.ringing, "bob", "alice", after: 2)
        script.send(.candidates, "alice", "bob", after: -1)
        let call = script.call()
        #expect(call.steps.map(\.number) == [1, 2, 3])
        #expect(call.steps.map(\.message.label) == ["offer", "candidates", "ringing"])
    }
}

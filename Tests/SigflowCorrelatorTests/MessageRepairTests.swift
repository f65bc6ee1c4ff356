import SigflowCore
import Testing

@testable import SigflowCorrelator

/// A response belongs to the party its request went to, whatever address it comes from (RFC 3261
/// §17.1.3 matches responses by transaction).
struct MessageRepairTests {
    @Test func aResponseFromASiblingAddressIsDrawnOnTheRequestsLifeline() {
        let script = Script()
        script.send(.offer, "alice", "edge", transaction: "t1")
        script.send(.ringing, "edge-sibling", "alice", transaction: "t1", status: 180, device: "b1")
        script.send(.reject, "edge-sibling", "alice", transaction: "t1", status: 486, outcome: .busy, device: "b1")
        let call = script.call()
        #expect(call.participants.map(\.id) == ["caller", "callee"])
        #expect(call.arrows == ["caller>callee offer", "callee>caller ringing", "callee>caller reject"])
        #expect(call.outcome == .busy)
    }

    /// Not when the responder is itself a party requests go to, nor when the request went to
    /// several parties, nor for a response that goes to someone else.
    @Test func onlyAResponseFromNowhereElseIsMoved() {
        let script = Script()
        script.send(.offer, "alice", "edge", transaction: "t1")
        script.send(.offer, "edge", "bob", transaction: "t2")
        script.send(.reject, "bob", "alice", transaction: "t1", status: 486, outcome: .busy)
        #expect(script.call().steps[2].from == "callee")
        let forked = Script()
        forked.send(.offer, "alice", "edge", transaction: "t1")
        forked.send(.offer, "alice", "edge-b", transaction: "t1")
        forked.send(.reject, "edge-c", "alice", transaction: "t1", status: 486, outcome: .busy)
        #expect(forked.call().participants.count == 4)
        let messages = MessageRepair.repaired(forked.messages)
        #expect(messages.map(\.sender.key) == forked.messages.map(\.sender.key))
    }
}

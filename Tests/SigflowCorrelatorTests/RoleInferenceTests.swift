import SigflowCore
import Testing

@testable import SigflowCorrelator

/// Who is who, from the flow alone.
struct RoleInferenceTests {
    @Test func aPartyThatPassesTheOfferOnIsAProxy() {
        let script = Script()
        script.send(.offer, "alice", "edge")
        script.send(.offer, "edge", "bob")
        script.send(.ringing, "bob", "edge")
        script.send(.ringing, "edge", "alice")
        let call = script.call()
        #expect(
            call.participants.map { "\($0.id) \($0.role.rawValue)" } == [
                "caller caller", "proxy proxy", "callee callee",
            ])
        #expect(
            call.arrows == ["caller>proxy offer", "proxy>callee offer", "callee>proxy ringing", "proxy>caller ringing"])
        #expect(call.participants.map(\.label) == ["Caller alice (alice)", "Proxy (edge)", "Callee bob (bob)"])
        #expect(call.method == "script call")
    }

    /// A relaying server is never caller or callee, and the caller's own other device seeing its
    /// offer is not called.
    @Test func serversRelayAndTheCallersOtherDeviceIsNoCallee() {
        let script = Script()
        script.send(.offer, "alice-laptop", "server")
        script.send(.offer, "server", "bob-phone")
        script.send(.offer, "server", "alice-phone")
        script.send(.offer, "server", "bob-desk")
        let call = script.call()
        #expect(
            call.participants.map { "\($0.id) \($0.role.rawValue)" } == [
                "caller caller", "server server", "callee1 callee", "peer1 peer", "callee2 callee",
            ])
        #expect(call.participants[2].label == "Callee device 1 bob (phone)")
    }

    /// The capture began after the offer: whoever receives a decision is the caller.
    @Test func withoutAnOfferTheDecisionsReceiverIsTheCaller() {
        let script = Script()
        script.send(.ringing, "bob", "alice")
        script.send(.answer, "bob", "alice", outcome: .answered)
        let call = script.call()
        #expect(call.participants.map { "\($0.id) \($0.role.rawValue)" } == ["callee callee", "caller caller"])
        #expect(call.participants.map(\.label) == ["Callee bob (bob)", "Caller alice (alice)"])
    }

    /// Not a call: the requester is the client, the other end a server whose fate is the exchange's.
    @Test func anExchangeHasAClientAndAServer() {
        let script = Script()
        script.send(.request, "alice", "registrar", method: "REGISTER")
        script.send(.response, "registrar", "alice", status: 200)
        let call = script.call()
        #expect(!call.isCall)
        #expect(call.method == "REGISTER")
        #expect(
            call.participants.map { "\($0.id) \($0.role.rawValue) \($0.label)" } == [
                "caller caller Client alice (alice)", "server peer Server registrar (registrar)",
            ])
        // The default policy settles no exchange.
        #expect(call.outcome == .incomplete)
    }

    /// A party's endpoints are every address it used, in order.
    @Test func lifelinesCollectTheirEndpoints() {
        let script = Script()
        let (first, second) = (Endpoint(Substring("192.0.2.1:5060"))!, Endpoint(Substring("192.0.2.2:5060"))!)
        script.send(.offer, "alice", "bob", from: first)
        script.send(.offer, "alice", "carol", from: second)
        script.send(.candidates, "alice", "carol", from: first)
        let call = script.call()
        #expect(call.participants.map(\.id) == ["caller", "callee1", "callee2"])
        #expect(call.participants[0].endpoints == [first, second])
        #expect(call.participants[0].label == "Caller alice (192.0.2.1:5060)")
    }
}

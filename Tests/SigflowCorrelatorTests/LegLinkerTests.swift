import SigflowCore
import Testing

@testable import SigflowCorrelator

/// Calls whose messages name each other are legs of one conversation.
struct LegLinkerTests {
    /// A call of one offer carrying `links`.
    static func leg(_ callID: String, links: [LinkToken] = []) -> [SignalingMessage] {
        let script = Script(callID: callID)
        script.send(.offer, "alice", "bob", links: links)
        return script.messages
    }

    static let session = LinkToken.shared(MessageKey(tag: 3, text: "session"))

    static func calls() -> [Call] {
        let messages =
            leg("a", links: [.naming(CallKey(.script, callID: "b"))]) + leg("b")
            + leg("c", links: [.naming(CallKey(.script, callID: "b"))]) + leg("d", links: [session])
            + leg("e", links: [session]) + leg("f")
        return CallCorrelator.correlate(
            messages, captureCount: 1, captureEnd: nil, policies: CallPolicies([ScriptPolicy()])
        ).calls
    }

    @Test func callsNamingEachOtherOrSharingATokenAreLinked() {
        #expect(
            Self.calls().map { "\($0.callID): \($0.linkedCallIDs.joined(separator: " "))" } == [
                "a: b c", "b: a c", "c: a b", "d: e", "e: d", "f: ",
            ])
    }

    /// The call list links the same legs from its summaries alone.
    @Test func summariesLinkTheSameLegs() {
        var links = SummaryLegLinks()
        let summaries = Self.calls().map(CallSummary.init)
        for summary in summaries { links.note(summary) }
        #expect(links.links(summaries) == [0: ["b", "c"], 1: ["a", "c"], 2: ["a", "b"], 3: ["e"], 4: ["d"]])
    }

    @Test func twoListedCallsWithOneCallIDAreLegs() {
        var links = SummaryLegLinks()
        let summaries = (Self.leg("x") + Self.leg("x")).map { message in
            CallSummary(CallCorrelator.call(from: [message], offsets: [], captureEnd: nil, policy: ScriptPolicy()))
        }
        for summary in summaries { links.note(summary) }
        #expect(links.links(summaries) == [0: ["x"], 1: ["x"]])
    }
}

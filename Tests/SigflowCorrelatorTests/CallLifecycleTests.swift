import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowCorrelator

/// Where a call is in its life as its messages arrive: open while something can happen, over when
/// nothing but retransmissions can, finished once over and quiet for the quiet period.
struct CallLifecycleTests {
    static let quiet: Int64 = 5_000_000_000

    /// Feeds a script's messages and lists the phase after each, `over@T` with the deadline's
    /// seconds after the start.
    static func phases(_ script: Script) -> [String] {
        var lifecycle = CallLifecycle(opening: script.messages[0], quietPeriod: quiet)
        return script.messages.map { message in
            switch lifecycle.receive(message) {
            case .none:
                return lifecycle.phase == .open ? "open" : "none?"
            case .waitQuiet(let deadline):
                let tenths = deadline.nanoseconds(since: Fixture.start) / 100_000_000
                return "over@\(tenths / 10).\(tenths % 10)"
            }
        }
    }

    @Test func aRefusedCallIsOverUntilQuiet() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.ringing, "bob", "alice", transaction: "t1")
        script.send(.reject, "bob", "alice", transaction: "t1")
        script.send(.confirm, "alice", "bob", transaction: "t1")
        #expect(Self.phases(script) == ["open", "open", "over@5.3", "over@5.4"])
        var lifecycle = CallLifecycle(opening: script.messages[0], quietPeriod: Self.quiet)
        for message in script.messages { _ = lifecycle.receive(message) }
        #expect(!lifecycle.isFinished(at: script.time(after: 4.9)))
        #expect(lifecycle.isFinished(at: script.time(after: 5)))
    }

    /// An answered call goes on until it is hung up; a proxy cancelling the other forks ends nothing.
    @Test func anAnsweredCallIsOverAtItsHangUp() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.answer, "bob", "alice", transaction: "t1")
        script.send(.cancel, "edge", "desk")
        script.send(.hangup, "alice", "bob", after: 60)
        #expect(Self.phases(script) == ["open", "open", "open", "over@65.3"])
    }

    /// Forks still ringing keep the call open after one refuses.
    @Test func pendingForksKeepTheCallOpen() {
        let script = Script()
        script.send(.offer, "alice", "bob-phone", transaction: "t1")
        script.send(.offer, "alice", "bob-desk", transaction: "t2")
        script.send(.reject, "bob-phone", "alice", transaction: "t1")
        script.send(.reject, "bob-desk", "alice", transaction: "t2")
        #expect(Self.phases(script) == ["open", "open", "open", "over@5.4"])
    }

    /// A challenged offer that is never sent again ends the call; sent again, the call opens again.
    @Test func aChallengeEndsTheCallUntilTheOfferIsRetried() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.challenge, "bob", "alice", transaction: "t1")
        script.send(.offer, "alice", "bob", transaction: "t2")
        script.send(.answer, "bob", "alice", transaction: "t2")
        #expect(Self.phases(script) == ["open", "over@5.2", "open", "open"])
    }

    /// Registrations refresh under one Call-ID: a challenged REGISTER settles nothing.
    @Test func aChallengedRegisterSettlesNothing() {
        let script = Script()
        script.send(.request, "alice", "registrar", transaction: "r1")
        script.send(.challenge, "registrar", "alice", transaction: "r1")
        #expect(Self.phases(script) == ["open", "open"])
    }

    /// A cancelled offer is over at its final response; a later offer of the dialog opens the
    /// call again.
    @Test func aNewOfferReopensACallThatWasOver() {
        let script = Script()
        script.send(.offer, "alice", "bob", transaction: "t1")
        script.send(.cancel, "alice", "bob")
        script.send(.reject, "bob", "alice", transaction: "t1")
        script.send(.offer, "alice", "bob", after: 2, transaction: "t2")
        #expect(Self.phases(script) == ["open", "open", "over@5.3", "open"])
    }
}

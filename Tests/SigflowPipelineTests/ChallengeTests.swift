import SigflowCore
import SigflowPipeline
import SigflowRender
import Testing

/// A 401/407 answered by the request again with credentials is a step of the call, not its
/// outcome (RFC 3261 §22.2, §22.3): the outcome, the document, the devices, the timers and every
/// rule follow the last attempt. On the lab's kamailio capture and on two real networks' captures.
struct ChallengeTests {
    static func calls(_ path: String) throws -> [Call] {
        try CallsJob.run(PipelineConfiguration(inputs: [.file(path)])).calls
    }

    /// kamailio challenges alice's INVITE with 407; she sends it again with credentials and bob
    /// answers behind the proxy. The proxy is no device; timers count from the second INVITE.
    @Test func kamailioChallengeThenAnswer() throws {
        let call = try #require(
            try Self.calls(Paths.captures.appendingPathComponent("lab/sip/auth-invite.pcap").path).first)
        #expect(call.outcome == .answered)
        #expect(call.steps[1].message.kind == .challenge)
        #expect(call.steps[1].message.label == "407 Proxy Authentication Required")
        #expect(call.attemptStep == 4)
        #expect(call.finalStatus == 200)
        #expect(
            call.participants.map { "\($0.id) \($0.outcome?.rawValue ?? "-") \($0.devices.count)" } == [
                "caller answered 0", "proxy - 0", "callee answered 1",
            ])
        let offer = call.steps[3]
        let ringing = try #require(call.steps.first { $0.message.kind == .ringing && $0.to == "caller" })
        #expect(call.timing.postDialDelay == ringing.time.nanoseconds(since: offer.time))
        #expect(call.findings.isEmpty)
        let narrative = CallNarrative(call)
        #expect(narrative.title == "SIP call answered and ended by the caller")
        #expect(
            narrative.summary.contains("The proxy asks for credentials (407 Proxy Authentication Required, step 2)"))
        #expect(narrative.summary.contains("The callee answers"))
    }

    /// Only a challenge never retried makes the call unauthorized.
    @Test func aChallengeNeverRetriedRefusesTheCall() throws {
        let call = try #require(
            try Self.calls(Paths.captures.appendingPathComponent("lab/sip/auth-fail.pcap").path).first)
        #expect(call.outcome == .unauthorized)
        #expect(call.finalStatus == 401)
        #expect(call.finalReason == "Unauthorized")
        #expect(CallNarrative(call).title == "SIP call refused for lack of credentials (401 Unauthorized)")
    }

    /// A real OnSIP account: REGISTER challenged 401 twice and answered; INVITE challenged 407,
    /// sent again, answered, RTP both ways, BYE. No rule fires on the challenge (S18 used to report
    /// the media "after 407").
    @Test(.enabled(if: Paths.hasPublicCorpus, "../shared/captures-public is absent"))
    func onsipRegisterAndInvite() throws {
        let calls = try Self.calls(Paths.publicCapture("real/eim-onsip.pcap"))
        #expect(
            calls.map { "\($0.method) \($0.outcome.rawValue) \($0.finalStatus ?? 0)" } == [
                "REGISTER answered 200", "INVITE answered 200",
            ])
        #expect(calls[0].steps.filter { $0.message.kind == .challenge }.map(\.number) == [2, 6])
        let invite = calls[1]
        #expect(invite.steps[2].message.kind == .challenge)
        #expect(invite.attemptStep == 5)
        #expect(
            invite.participants.map { "\($0.id) \($0.outcome?.rawValue ?? "-")" } == [
                "caller answered", "callee answered",
            ])
        #expect(invite.findings.isEmpty)
        // The OnSIP proxy sends `100 Trying` and then `100 Giving a try`: two messages.
        #expect(invite.steps[5...6].map(\.message.label) == ["100 Trying", "100 Giving a try"])
        #expect(invite.settlingStep == 8)
        #expect(invite.timing.timeToDecision == invite.steps[7].time.nanoseconds(since: invite.steps[4].time))
    }

    /// Linphone calls Asterisk, which challenges with 401 before answering.
    @Test(.enabled(if: Paths.hasPublicCorpus, "../shared/captures-public is absent"))
    func asteriskChallengeThenAnswer() throws {
        let call = try #require(try Self.calls(Paths.publicCapture("real/isa-invite-auth.pcapng")).first)
        #expect(call.callID == "681270918")
        #expect(call.outcome == .answered)
        #expect(
            call.participants.map { "\($0.id) \($0.outcome?.rawValue ?? "-")" } == [
                "caller answered", "callee answered",
            ])
        #expect(call.steps[1].message.kind == .challenge)
        #expect(call.findings.isEmpty)
        #expect(CallNarrative(call).title == "SIP call answered and ended by the callee")
    }
}

import SigflowCore

/// X13: ICE/RTP media between the peers continuing after session-terminate or a JMI reject.
///
/// Judging this needs a media map: the UDP flows between the candidates the session named, with
/// their last packet times. The neutral call model carries no media flows yet (Matrix M17 waits for
/// the same), so the rule has no evidence to judge and says nothing rather than guess.
struct XMPPMediaAfterEndRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X13.media-after-end", signalingProtocol: .xmpp, severity: .error,
        summary:
            "ICE/RTP media between the peers continues after session-terminate or a JMI reject (needs media flows; "
            + "silent until the call model carries them).",
        clause: "XEP-0166 #session-terminate")

    func check(_ call: Call, context: CheckContext) -> [Finding] { [] }
}

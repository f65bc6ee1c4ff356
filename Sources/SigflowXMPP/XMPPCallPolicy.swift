import SigflowCore

/// How XMPP calls live and end: every default (a proposal or session-initiate without a final
/// answer times out after the default offer timeout), and the XMPP rules.
public struct XMPPCallPolicy: CallPolicy {
    public var signalingProtocol: SignalingProtocol { .xmpp }
    public var callWord: String { "jingle" }

    public init() {}

    public var rules: [any CallRule] {
        [
            XMPPResponseWithoutProposeRule(), XMPPContradictoryDecisionsRule(), XMPPTwoProceedsRule(),
            XMPPInitiateAfterRefusalRule(), XMPPActionAfterTerminateRule(), XMPPSecondAcceptRule(),
            XMPPReasonFromWrongPartyRule(), XMPPDeclineAfterAcceptRule(), XMPPRejectWithoutReasonRule(),
            XMPPSpoofedCarbonRule(), XMPPGlareRule(), XMPPInitiateNeverAckedRule(), XMPPMediaAfterEndRule(),
            XMPPDanglingProposeRule(),
        ]
    }
}

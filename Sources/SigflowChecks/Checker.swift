import SigflowCore

/// Runs every registered rule of a call's protocol over it.
public struct Checker: Sendable {
    public var rules: [any CallRule]

    public init(rules: [any CallRule] = RuleRegistry.all) {
        self.rules = rules
    }

    public func check(_ calls: [Call], context: CheckContext) -> [Call] {
        var context = context
        context.calls = calls
        return calls.map { call in
            context.views = CallViews()
            var checked = call
            checked.findings = rules.filter { $0.descriptor.signalingProtocol == call.signalingProtocol }
                .flatMap { $0.check(call, context: context) }
                .sorted { ($0.steps.first ?? 0, $0.ruleID) < ($1.steps.first ?? 0, $1.ruleID) }
            return checked
        }
    }
}

/// Every rule sigflow knows, by protocol and number.
public enum RuleRegistry {
    public static let all: [any CallRule] = sip + matrix + xmpp + whatsapp

    public static let sip: [any CallRule] = [
        SIPAnswerAfterDeclineRule(), SIPDeclineForwardedWithPendingBranchesRule(), SIPBranchAfterDeclineRule(),
        SIPDeclineNotChosenRule(), SIPAnswerAfterCancelAcceptedRule(), SIPTerminatedWithoutCancelRule(),
        SIPCancelBeforeProvisionalRule(), SIPCancelAfterFinalRule(), SIPCancelMismatchRule(),
        SIPCompletedElsewhereWithoutAnswerRule(), SIPRingsAfterCompletedElsewhereRule(), SIPByeOnEarlyDialogRule(),
        SIPByeBeforeAckRule(), SIPAckMismatchRule(), SIPFinalNeverAckedRule(), SIPRejectWithoutInviteRule(),
        SIPUnwantedDialogRule(), SIPMediaAfterEndRule(), SIPDeclineWhileOthersRingRule(), SIPCancelTagsDifferRule(),
        SIPShortBodyRule(), SIPNoSuchDialogRule(),
    ]

    public static let matrix: [any CallRule] = [
        MatrixRejectOfVersionZeroRule(), MatrixCallerRejectsRule(), MatrixRejectAfterAnswerRule(),
        MatrixAnswerAfterLosingRule(), MatrixLoserContinuesRule(), MatrixSelectAnswerMisuseRule(),
        MatrixSelectUnknownPartyRule(), MatrixCallerContinuesAfterRejectRule(), MatrixLateRejectHonouredRule(),
        MatrixHangupAsRejectRule(), MatrixOrphanDecisionRule(), MatrixDecisionAfterExpiryRule(), MatrixNotInviteeRule(),
        MatrixRejectWithReasonRule(), MatrixGlareRule(), MatrixRingingAfterBatchRule(), MatrixUnknownHangupReasonRule(),
        MatrixRejectNotSelectedRule(), MatrixMediaAfterEndRule(),
    ]

    public static let whatsapp: [any CallRule] = [
        WhatsAppActionWithoutOfferRule(), WhatsAppAcceptAfterDismissalRule(), WhatsAppSecondAcceptRule(),
        WhatsAppCallEndedAfterBusyRule(), WhatsAppAcceptAfterDeclineRule(), WhatsAppAnswererDismissedRule(),
        WhatsAppAnswerToEndedOfferRule(), WhatsAppCallerRejectsRule(), WhatsAppActionAfterTerminateRule(),
        WhatsAppCallNotAckedRule(), WhatsAppRefusedOfferContinuesRule(), WhatsAppMediaAfterEndRule(),
        WhatsAppBaileysRingingRule(),
    ]

    public static let xmpp: [any CallRule] = [
        XMPPResponseWithoutProposeRule(), XMPPContradictoryDecisionsRule(), XMPPTwoProceedsRule(),
        XMPPInitiateAfterRefusalRule(), XMPPActionAfterTerminateRule(), XMPPSecondAcceptRule(),
        XMPPReasonFromWrongPartyRule(), XMPPDeclineAfterAcceptRule(), XMPPRejectWithoutReasonRule(),
        XMPPSpoofedCarbonRule(), XMPPGlareRule(), XMPPInitiateNeverAckedRule(), XMPPMediaAfterEndRule(),
        XMPPDanglingProposeRule(),
    ]

    public static var descriptors: [RuleDescriptor] { all.map(\.descriptor) }
}

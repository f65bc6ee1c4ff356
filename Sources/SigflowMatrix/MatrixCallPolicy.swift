import SigflowCore

/// How Matrix calls live and end: every default (an invite without a `lifetime` of its own times
/// out after the default offer timeout), and the Matrix rules.
public struct MatrixCallPolicy: CallPolicy {
    public var signalingProtocol: SignalingProtocol { .matrix }
    public var callWord: String { "m.call" }

    public init() {}

    public var rules: [any CallRule] {
        [
            MatrixRejectOfVersionZeroRule(), MatrixCallerRejectsRule(), MatrixRejectAfterAnswerRule(),
            MatrixAnswerAfterLosingRule(), MatrixLoserContinuesRule(), MatrixSelectAnswerMisuseRule(),
            MatrixSelectUnknownPartyRule(), MatrixCallerContinuesAfterRejectRule(), MatrixLateRejectHonouredRule(),
            MatrixHangupAsRejectRule(), MatrixOrphanDecisionRule(), MatrixDecisionAfterExpiryRule(),
            MatrixNotInviteeRule(), MatrixRejectWithReasonRule(), MatrixGlareRule(), MatrixRingingAfterBatchRule(),
            MatrixUnknownHangupReasonRule(), MatrixRejectNotSelectedRule(), MatrixMediaAfterEndRule(),
        ]
    }
}

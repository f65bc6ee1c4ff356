import SigflowCore

extension Finding {
    /// `sip.S1.answer-after-decline error [2, 3]`: the rule, severity and steps, as rule tests
    /// compare findings.
    public var outline: String { "\(ruleID) \(severity.rawValue) \(steps)" }
}

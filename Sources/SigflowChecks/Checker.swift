import SigflowCore

/// Runs every registered rule of a call's protocol over it.
public struct Checker: Sendable {
    public var rules: [any CallRule]

    /// - Parameter rules: every protocol's rules (the composition module lists them).
    public init(rules: [any CallRule]) {
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

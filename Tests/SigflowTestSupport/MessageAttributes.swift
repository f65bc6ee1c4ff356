import SigflowCore

extension SignalingMessage {
    /// The JSON attribute `name` as `flow --format json` writes it: tests check the documented output
    /// by name, where sources read the typed fields.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.key == name }?.value
    }
}

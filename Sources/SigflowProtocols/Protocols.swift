import SigflowCore
import SigflowMatrix
import SigflowSIP
import SigflowWhatsApp
import SigflowXMPP

/// The protocols sigflow decodes, in one list: adding one is a module and a line here (and its
/// sniff in `DecoderRegistry`).
public enum Protocols {
    public static let policies = CallPolicies([
        SIPCallPolicy(), MatrixCallPolicy(), XMPPCallPolicy(), WhatsAppCallPolicy(),
    ])

    /// Every rule of every protocol, in protocol order.
    public static var rules: [any CallRule] { policies.rules }
}

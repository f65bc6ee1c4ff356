import SigflowCore

/// X10: a carbon copy whose wrapper does not come from the receiver's own account reaches a client.
///
/// Whether the client then acts on it (stops ringing) cannot be seen on the wire: ringing is silent.
/// What the capture shows is the spoofed copy arriving, which a client must ignore, so that is what
/// this rule reports, as a warning.
struct XMPPSpoofedCarbonRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X10.spoofed-carbon", signalingProtocol: .xmpp, severity: .warning,
        summary:
            "A carbon <sent>/<received> whose outer from is not the receiver's own bare JID reaches a client, "
            + "which must ignore it.",
        clause: "XEP-0280 #security")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        context.views.view(XMPPCallView.self) { XMPPCallView(call) }.stanzas.filter(\.isSpoofed).compactMap { stanza in
            guard let delivery = stanza.deliveries.first else { return nil }
            let receiver = delivery.message.receiver.key
            return descriptor.finding(
                "\(stanza.label) (step \(delivery.number)) is wrapped as a carbon by "
                    + "\(delivery.message.xmpp?.carbonFrom ?? "?"), not by \(JID.bare(receiver.description)) "
                    + "itself; \(receiver) must ignore it.",
                steps: stanza.deliveries.map(\.number))
        }
    }
}

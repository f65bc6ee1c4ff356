import SigflowCore

/// W13: a Baileys log reports call status `ringing`, which is not a call state: Baileys maps every
/// action it does not know (`mute_v2`, `video`, `enc_rekey`, ...) to `ringing`.
struct WhatsAppBaileysRingingRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W13.baileys-ringing", signalingProtocol: .whatsapp, severity: .warning,
        summary: "A Baileys log shows call status 'ringing', which stands for any unknown action, not ringing.",
        clause: "Baileys Utils/generics.ts getCallStatusFromNode")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        call.steps.filter { $0.message.waLog?.baileysStatus == "ringing" }.map { step in
            let before = call.steps.last {
                $0.number < step.number && $0.message.waLog?.stanza == .call && $0.message.waLog?.direction == .recv
            }
            let cause = before.map { " after <\($0.message.waLog?.action ?? "?")> (step \($0.number))" } ?? ""
            return descriptor.finding(
                "Baileys reports status 'ringing' (step \(step.number))\(cause); it is Baileys' name for any action it "
                    + "does not know, not a ringing device.",
                steps: [step.number] + (before.map { [$0.number] } ?? []))
        }
    }
}

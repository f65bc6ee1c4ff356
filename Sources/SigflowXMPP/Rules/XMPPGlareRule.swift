import SigflowCore

/// X11: two users propose to each other at once. The proposal with the lower id (i;octet) must
/// survive and the higher one be withdrawn with `<expired/>` and a `<tie-break/>` marker. Judged from
/// the lower-id call, once per pair, and only when both proposals are in the capture.
struct XMPPGlareRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X11.glare", signalingProtocol: .xmpp, severity: .warning,
        summary:
            "Crossing proposals: both survive, the lower id is the one withdrawn, or the tie-break withdrawal "
            + "lacks <tie-break/>.",
        clause: "XEP-0353 #tie-break-1; XEP-0166 #def-action-ties")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        guard let propose = view.jingleMessages("propose").first, let addressee = propose.detail.to else {
            return []
        }
        var findings: [Finding] = []
        for other in context.calls where other.signalingProtocol == .xmpp && other.callID != call.callID {
            // The shared view is this call's: the other call gets its own.
            let otherView = XMPPCallView(other)
            guard let otherPropose = otherView.jingleMessages("propose").first,
                otherPropose.user == JID.bare(addressee),
                JID.bare(otherPropose.detail.to ?? "") == propose.user,
                Array(call.callID.utf8).lexicographicallyPrecedes(Array(other.callID.utf8)),
                // The proposals crossed: each was sent before the other was settled.
                otherPropose.time < Self.settled(view), propose.time < Self.settled(otherView)
            else { continue }
            let withdrawn = view.jingleMessages("reject", "retract")
            let otherWithdrawn = otherView.jingleMessages("reject", "retract")
            let accepted = !view.jingleMessages("proceed", "accept").isEmpty
            let otherAccepted = !otherView.jingleMessages("proceed", "accept").isEmpty
            if withdrawn.isEmpty && otherWithdrawn.isEmpty && accepted && otherAccepted {
                findings.append(
                    descriptor.finding(
                        "Proposals \(call.callID) and \(other.callID) crossed and both were accepted; the higher id "
                            + "(\(other.callID)) should have been withdrawn.",
                        steps: [propose.step]))
            } else if let first = withdrawn.first, otherWithdrawn.isEmpty {
                findings.append(
                    descriptor.finding(
                        "Proposals \(call.callID) and \(other.callID) crossed and the lower id was withdrawn "
                            + "(\(first.label), step \(first.step)) while \(other.callID) went on.",
                        steps: [propose.step, first.step]))
            }
            for withdrawal in otherWithdrawn
            where withdrawal.reason == "expired" && !withdrawal.detail.tieBreak {
                findings.append(
                    descriptor.finding(
                        "\(withdrawal.label) of \(other.callID) (step \(withdrawal.step) of that call) settles the "
                            + "glare with \(call.callID) but carries no <tie-break/>.",
                        steps: [propose.step]))
            }
        }
        return findings
    }

    /// When a proposal was first answered, withdrawn or accepted (the end of time if never).
    static func settled(_ view: XMPPCallView) -> CaptureTime {
        view.jingleMessages("proceed", "accept", "reject", "retract").map(\.time).min()
            ?? CaptureTime(nanoseconds: Int64.max)
    }
}

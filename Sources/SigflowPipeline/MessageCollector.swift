import SigflowCore

/// Gathers what the decoders emit during a run.
final class MessageCollector: SignalingSink {
    private(set) var messages: [SignalingMessage] = []
    private(set) var diagnostics = DiagnosticLog()

    func deliver(_ message: SignalingMessage) { messages.append(message) }

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}

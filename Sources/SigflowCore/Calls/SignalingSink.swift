/// Where decoders put what they decode: messages, and diagnostics about what they could not.
public protocol SignalingSink: AnyObject {
    func deliver(_ message: SignalingMessage)
    func report(_ diagnostic: Diagnostic)
}

/// Why a capture input could not be read at all. Each case renders as one line for stderr.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case empty(path: String)
    case notACapture(path: String, detail: String)
    case corrupt(path: String, afterFrame: Int, detail: String)
    case badFilter(expression: String, detail: String)
    case liveCaptureFailed(interface: String, detail: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open: \(reason)"
        case .empty(let path):
            return "\(path): empty file, not a capture"
        case .notACapture(let path, let detail):
            return "\(path): not a pcap or pcapng capture (\(detail))"
        case .corrupt(let path, let frame, let detail):
            return "\(path): corrupt record after frame \(frame): \(detail)"
        case .badFilter(let expression, let detail):
            return "invalid capture filter '\(expression)': \(detail)"
        case .liveCaptureFailed(let interface, let detail):
            return "interface \(interface): \(detail)"
        }
    }
}

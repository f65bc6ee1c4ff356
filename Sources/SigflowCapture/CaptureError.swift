/// Why a capture input could not be read at all. Each case renders as one line for stderr.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case empty(path: String)
    case notACapture(path: String, detail: String)
    case corrupt(path: String, afterFrame: Int, detail: String)
    /// Compressed data that zlib could not inflate: `offset` is the input byte where the damage
    /// showed (zlib's error, or records that stopped making sense before zlib reached the check
    /// value that proves the damage).
    case damagedCompression(path: String, offset: Int, size: Int?, afterFrame: Int, detail: String)
    case readFailed(path: String, afterFrame: Int, reason: String)
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
        case .damagedCompression(let path, let offset, let size, let frames, let detail):
            let of = size.map { " of \($0)" } ?? ""
            return "\(path): damaged gzip data near compressed byte \(offset)\(of) (\(detail)); "
                + "the \(frames) packets before it were read"
        case .readFailed(let path, let frames, let reason):
            return "\(path): read failed after frame \(frames): \(reason)"
        case .badFilter(let expression, let detail):
            return "invalid capture filter '\(expression)': \(detail)"
        case .liveCaptureFailed(let interface, let detail):
            return "interface \(interface): \(detail)"
        }
    }
}

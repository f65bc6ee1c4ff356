/// A decoder for evidence that is not a packet capture: client debug logs whose lines hold the
/// signaling a capture cannot show (WhatsApp's encrypted stanzas). Each log file is one device's
/// view; the pipeline gives it a capture index like any capture, and its line numbers serve as frame
/// numbers.
public protocol EvidenceLogDecoder: AnyObject {
    /// Whether the first bytes of a file look like this decoder's format.
    func recognizes(_ prefix: [UInt8]) -> Bool

    /// Decodes a whole log into the sink. Returns how many lines it read; throws a one-line reason
    /// when the file cannot be read at all.
    func decode(path: String, captureIndex: Int, into sink: any SignalingSink) throws(EvidenceLogError) -> Int

    /// Decodes a log already read (standard input), named `fileName` in messages. Returns how many
    /// lines it read.
    func decode(bytes: [UInt8], fileName: String, captureIndex: Int, into sink: any SignalingSink) -> Int
}

public struct EvidenceLogError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

import SigflowCore

/// Where packets come from.
public enum CaptureInput: Hashable, Sendable, CustomStringConvertible {
    /// A pcap or pcapng file, optionally gzip-compressed.
    case file(String)
    /// pcap or pcapng (optionally gzip-compressed) on standard input, named `-` on the command line.
    case standardInput
    /// A live network interface.
    case interface(String)

    public var description: String {
        switch self {
        case .file(let path): return path
        case .standardInput: return "-"
        case .interface(let name): return name
        }
    }
}

/// What is known about one input once it has been read.
public struct CaptureSummary: Hashable, Sendable {
    public var input: CaptureInput
    public var linkType: LinkType
    /// Frames read from the input (before any filter).
    public var frames: Int
    /// Frames that passed the filter and went on to decoding.
    public var framesKept: Int
    public var firstTime: CaptureTime?
    public var lastTime: CaptureTime?

    public init(
        input: CaptureInput, linkType: LinkType, frames: Int, framesKept: Int, firstTime: CaptureTime?,
        lastTime: CaptureTime?
    ) {
        self.input = input
        self.linkType = linkType
        self.frames = frames
        self.framesKept = framesKept
        self.firstTime = firstTime
        self.lastTime = lastTime
    }
}

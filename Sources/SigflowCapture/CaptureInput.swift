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

/// How far reading has got, for a progress bar.
public struct ReadProgress: Hashable, Sendable {
    /// Bytes taken from the inputs: of a file as stored (compressed bytes for gzip), of standard
    /// input as it arrives.
    public var bytesRead: Int
    /// The inputs' sizes, nil when one of them cannot be known ahead (standard input).
    public var totalBytes: Int?

    public init(bytesRead: Int, totalBytes: Int?) {
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
    }

    /// The share read, from 0 to 1, when the total is known.
    public var fraction: Double? {
        totalBytes.map { $0 > 0 ? min(1, Double(bytesRead) / Double($0)) : 1 }
    }
}

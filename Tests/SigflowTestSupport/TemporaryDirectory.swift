import Foundation

/// A fresh directory under the system temporary directory, removed when the value is released.
/// Each test makes its own, so tests can run in parallel.
public final class TemporaryDirectory {
    public let path: String

    public init() {
        var template = Array((NSTemporaryDirectory() + "/sigflow-test-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` in this directory; returns the file's path.
    @discardableResult
    public func write(_ bytes: [UInt8], to name: String) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        let written = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        precondition(written, "cannot write \(file)")
        return file
    }

    /// The path `name` would have in this directory.
    public func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }
}

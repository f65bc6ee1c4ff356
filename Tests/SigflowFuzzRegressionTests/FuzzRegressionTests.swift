import Foundation
import SigflowFuzzing
import Testing

/// Replays every input the fuzzers ever found trouble with (Tests/FuzzRegressions/TARGET/), and the
/// seeds, through exactly what the fuzz target runs: each must now finish normally.
struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static let inputs: [String] = {
        var paths: [String] = []
        for root in ["FuzzRegressions", "FuzzSeeds"] {
            let base = folder.appendingPathComponent(root)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let relative as String in walker
            where !relative.hasSuffix(".md")
                && !FileManager.default.directoryExists(base.appendingPathComponent(relative).path)
            {
                paths.append("\(root)/\(relative)")
            }
        }
        return paths.sorted()
    }()

    @Test func everyFuzzTargetHasABody() {
        #expect(
            Set(FuzzBodies.all.map(\.name)) == [
                "capture-file", "tcp-streams", "sip-message", "http-stream", "json", "xmpp-stream", "client-log",
                "tls-streams",
            ])
    }

    /// The tls-streams seeds are lab connections the target's key log decrypts: each is one call.
    @Test(arguments: inputs.filter { $0.hasPrefix("FuzzSeeds/tls/") })
    func tlsSeedsAreDecrypted(path: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(path))
        let result = data.withUnsafeBytes { FuzzBodies.tlsStreams($0) }
        #expect(result.decrypted == 1 && result.calls == 1, "\(path): \(result)")
    }

    /// A regression file belongs to the target named by its folder; seeds are run through every body.
    @Test(arguments: inputs)
    func inputFinishes(path: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(path))
        let components = path.split(separator: "/")
        let bodies = FuzzBodies.all.filter { components[0] == "FuzzSeeds" || $0.name == components[1] }
        #expect(!bodies.isEmpty, "\(path) names no fuzz target")
        for (_, body) in bodies {
            data.withUnsafeBytes { body($0) }
        }
    }
}

extension FileManager {
    func directoryExists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

import Foundation
import Mustache
import SigflowRender
import Testing

/// The templates compiled into the binary are the ones in `templates/`.
struct TemplateDriftTests {
    @Test(arguments: [
        ("document.md.mustache", BuiltInTemplates.document), ("index.md.mustache", BuiltInTemplates.index),
    ])
    func builtInCopyMatchesFile(name: String, builtIn: String) throws {
        let file = try String(
            contentsOf: Fixtures.repository.appendingPathComponent("templates/\(name)"), encoding: .utf8)
        #expect(builtIn == file, "Sources/SigflowRender/BuiltInTemplates.swift drifted from templates/\(name)")
        _ = try MustacheTemplate(string: builtIn)
    }
}

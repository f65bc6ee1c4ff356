/// The version sigflow reports in `--version` and in the provenance line of its documents.
enum SigflowVersion {
    static let current = "0.1.0"
    /// The date the man page carries (scripts/gen-manual reads it), so regenerating is reproducible.
    static let releaseDate = "2026-11-22"
}

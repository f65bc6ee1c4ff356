/// The version sigflow reports in `--version` and in the provenance line of its documents.
enum SigflowVersion {
    static let current = "0.1.0"
}

import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze`: corpus → attention → singular values → run file.
@main
struct SpectrumAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum-analyze",
        abstract: "Measure how low-rank the attention matrices of a pretrained Transformer (encoder or decoder LLM) are on a corpus.",
        discussion: """
        `run` (the default) tokenizes the corpus, runs the model, computes every head's singular \
        values and the projection checks, and writes one HDF5 run file (docs/FORMAT.md). `extract` and \
        `svd` run the two halves separately; `merge` combines shard files.
        """,
        version: ToolInfo.version,
        subcommands: [Run.self, Extract.self, SVD.self, Merge.self],
        defaultSubcommand: Run.self
    )

    /// Ignores SIGXFSZ before parsing: past `ulimit -f` its default action kills the process
    /// without a word, while ignored it makes the write fail with EFBIG, which HDF5 reports and
    /// the tool turns into an error naming the file (the finished outputs stay untouched).
    static func main() {
        signal(SIGXFSZ, SIG_IGN)
        main(nil)
    }
}

/// Prints `error` as the tool's message and turns it into exit code 1.
func fail(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode(1)
}

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
        `svd` run the two halves separately; `merge` combines shard files and `fit` finishes a merged \
        file's fitted projection.
        """,
        version: ToolInfo.version,
        subcommands: [Run.self, Extract.self, SVD.self, Merge.self, Fit.self, Sweep.self, Recommend.self],
        defaultSubcommand: Run.self
    )

    /// Ignores SIGXFSZ before parsing: past `ulimit -f` its default action kills the process
    /// without a word, while ignored it makes the write fail with EFBIG, which HDF5 reports and
    /// the tool turns into an error naming the file (the finished outputs stay untouched).
    static func main() {
        // A re-executed copy of this tool that only walks a foreign run file (see RunFileCheck).
        RunFileCheck.runChildIfRequested()
        signal(SIGXFSZ, SIG_IGN)
        refuseUnknownSubcommand(Array(CommandLine.arguments.dropFirst()))
        main(nil)
    }

    /// `run` is the default subcommand, so a misspelt one (`mrege`) would otherwise be parsed as a
    /// stray argument of `run` and reported as a missing `--model`.
    static func refuseUnknownSubcommand(_ arguments: [String]) {
        guard let word = arguments.first, !word.hasPrefix("-") else { return }
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !names.contains(word) else { return }
        let closest = names.min { editDistance($0, word) < editDistance($1, word) } ?? "run"
        let hint = editDistance(closest, word) <= 2 ? " (did you mean '\(closest)'?)" : ""
        FileHandle.standardError.write(Data("Error: unknown subcommand '\(word)'\(hint); subcommands: \(names.dropLast().joined(separator: ", "))\n".utf8))
        Foundation.exit(64)
    }
}

/// Levenshtein distance, for suggesting a subcommand.
func editDistance(_ a: String, _ b: String) -> Int {
    let (x, y) = (Array(a), Array(b))
    var row = Array(0...y.count)
    for i in 1...max(1, x.count) where !x.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in 1...max(1, y.count) where !y.isEmpty {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[y.count]
}

/// Prints `error` as the tool's message and turns it into an exit code: 64 for an option that cannot
/// work with this model or corpus (a usage error found after loading), 1 for everything else.
func fail(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \((error as? AnalysisError)?.commandLineDescription ?? "\(error)")\n".utf8))
    if case AnalysisError.invalidOption = error { return ExitCode(64) }
    return ExitCode(1)
}
